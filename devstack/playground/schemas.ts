/** What the playground's JSON API accepts (zod), mirroring the simulators' inputs. */
import { z } from 'zod';

export const waIdParam = z.string().regex(/^\d{7,15}$/, 'must be 7–15 digits (a WhatsApp id)');
export const ticketIdParam = z.string().regex(/^TK-\d{4}-\d{6,}$/, 'must be a ticket id like TK-2026-000001');

const profileName = z.string().trim().min(1).max(60).optional();

/** A `UserInput` of the WhatsApp simulator, plus the optional WhatsApp profile name. */
export const phoneMessageBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().trim().min(1, 'text is empty').max(4096), profileName }),
  z.object({ kind: z.literal('reply'), id: z.string().min(1).max(256), title: z.string().min(1).max(24), profileName }),
  z.object({ kind: z.enum(['image', 'document', 'audio', 'location']), profileName }),
]);

export const takeBody = z.object({ agentName: z.string().trim().min(1).max(80).optional() });

/** Optional text where an empty field means "not given". */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value === '' ? undefined : value));

const httpsUrl = z.string().trim().max(4096).regex(/^https:\/\/[^\s/]+\S*$/, 'must be a public https:// URL');

export const agentMessageBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().trim().min(1, 'text is empty').max(4096) }),
  z.object({ type: z.literal('image'), link: httpsUrl, caption: optionalText(1024) }),
  z.object({ type: z.literal('document'), link: httpsUrl, caption: optionalText(1024), filename: optionalText(240) }),
]);

export type PhoneMessageBody = z.output<typeof phoneMessageBody>;
export type AgentMessageBody = z.output<typeof agentMessageBody>;
