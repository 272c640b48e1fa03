import { z } from 'zod';

/*
 * Validation of Meta's webhook POST body.
 *
 * Strict where a mistake would misroute or lose data: `object`, `entry[].id`, `changes[].field`,
 * `metadata.phone_number_id`, and each message's `id`/`type`/`timestamp` must be present and typed.
 * Lenient everywhere else: objects keep unknown keys (`looseObject`) because Meta adds fields without
 * a version bump, and a message's type-specific payload is not validated here at all, so an unknown
 * message type can never reject a batch (normalize.ts turns it into an `unsupported` event).
 */

/** Unix seconds; Meta sends strings, a number is tolerated. Output is a number. */
export const UnixSecondsSchema = z
  .union([z.string().regex(/^\d+$/, 'expected unix seconds as a string of digits'), z.number().int().nonnegative()])
  .transform(Number);

/** An error object inside a webhook value (messages, statuses or the value itself). */
export const WebhookErrorSchema = z.looseObject({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});

/** The sender profile list at `value.contacts[]` (not the shared contact cards). */
export const SenderContactSchema = z.looseObject({
  wa_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

/** The fields common to every inbound message; the `[type]` payload passes through untouched. */
export const InboundMessageSchema = z.looseObject({
  id: z.string().min(1),
  // Not required: users with business-scoped ids (BSUID) may come without `from`.
  from: z.string().optional(),
  timestamp: UnixSecondsSchema,
  type: z.string().min(1),
  context: z
    .looseObject({
      from: z.string().optional(),
      id: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequently_forwarded: z.boolean().optional(),
    })
    .optional(),
  errors: z.array(WebhookErrorSchema).optional(),
});

/** One entry of `value.statuses[]`. */
export const StatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: UnixSecondsSchema,
  recipient_id: z.string().optional(),
  errors: z.array(WebhookErrorSchema).optional(),
  biz_opaque_callback_data: z.string().optional(),
  pricing: z
    .looseObject({
      billable: z.boolean().optional(),
      pricing_model: z.string().optional(),
      category: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
  conversation: z
    .looseObject({
      id: z.string().optional(),
      expiration_timestamp: UnixSecondsSchema.optional(),
      origin: z.looseObject({ type: z.string().optional() }).optional(),
    })
    .optional(),
});

/** `changes[].value` when `field === 'messages'`. */
export const MessagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp').optional(),
  metadata: z.looseObject({
    display_phone_number: z.string(),
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(SenderContactSchema).optional(),
  messages: z.array(InboundMessageSchema).optional(),
  statuses: z.array(StatusSchema).optional(),
  errors: z.array(WebhookErrorSchema).optional(),
});

/** A parsed `messages` change. */
export interface MessagesChange {
  kind: 'messages';
  field: 'messages';
  value: MessagesValue;
}

/** A change for any other webhook field; its value is not interpreted. */
export interface OtherChange {
  kind: 'other';
  field: string;
  value: unknown;
}

// The value's shape depends on `field`, and a discriminated union cannot express "any other string",
// so the messages value is validated inside a transform; its issues keep their full path.
const ChangeSchema = z.looseObject({ field: z.string().min(1), value: z.unknown() }).transform(
  (change, ctx): MessagesChange | OtherChange => {
    if (change.field !== 'messages') return { kind: 'other', field: change.field, value: change.value };
    const parsed = MessagesValueSchema.safeParse(change.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['value', ...issue.path] });
      return z.NEVER;
    }
    return { kind: 'messages', field: 'messages', value: parsed.data };
  },
);

/** The whole webhook POST body. */
export const WebhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      changes: z.array(ChangeSchema),
    }),
  ),
});

export type WebhookEnvelope = z.output<typeof WebhookEnvelopeSchema>;
export type MessagesValue = z.output<typeof MessagesValueSchema>;
export type InboundMessage = z.output<typeof InboundMessageSchema>;
export type WebhookStatus = z.output<typeof StatusSchema>;
export type WebhookErrorObject = z.output<typeof WebhookErrorSchema>;
export type SenderContact = z.output<typeof SenderContactSchema>;

/** One problem found in a webhook body, with a dotted path such as `entry[0].changes[0].value.metadata`. */
export interface WebhookIssue {
  path: string;
  message: string;
}

/** Thrown by `normalizeWebhook` when the body is not a WhatsApp webhook envelope. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';

  constructor(readonly details: WebhookIssue[]) {
    super(`Invalid WhatsApp webhook payload: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * Validates a parsed webhook body.
 *
 * @returns the typed envelope, or the list of issues (never throws).
 */
export function parseWebhookEnvelope(
  payload: unknown,
): { success: true; data: WebhookEnvelope } | { success: false; issues: WebhookIssue[] } {
  const result = WebhookEnvelopeSchema.safeParse(payload);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}
