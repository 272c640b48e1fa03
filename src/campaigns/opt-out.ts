/**
 * Opting out by keyword (seed 003, Compliance): a user who answers a campaign message with "BAJA",
 * "STOP", "no más mensajes"… is opted out of the organization's campaigns.
 *
 * When the keyword counts (docs/campaigns.md, "Opt-outs"): the whole message, folded (case,
 * accents, punctuation, emoji, spaces), is one of {@link OPT_OUT_PHRASES}, and
 * - it quotes a campaign message sent to this user (WhatsApp's `context.id`: a swipe-reply or a
 *   template quick-reply button), or
 * - no ticket is open and the last message Puente sent in this conversation before it is a
 *   campaign message from the last {@link OPT_OUT_WINDOW_MS} (7 days): the user is answering the
 *   campaign, not the bot or an agent.
 * A word typed to the bot or an agent (the last message was theirs) is left to them; while an
 * agent has the conversation only a quoted campaign message counts, and the agent still gets the
 * message.
 *
 * What it does: the contact's consent becomes `opted_out` with source `whatsapp_keyword` through the
 * contact store (consent history, `contact.unsubscribed`), every pending, active or paused
 * enrollment of the contact in the organization ends (`unsubscribed`, `exit_reason: opted_out`,
 * `unsubscribed_at`), and the user gets one confirmation instead of the bot's answer.
 * Everything is idempotent, and the decision reads only what existed when the user wrote, so a
 * turn run again after a crash decides the same and its confirmation (same id) is not sent twice.
 */
import type { Connection } from 'mongoose';
import type { ContactStore } from '../contacts/store.js';
import type { InboundInterceptor } from '../conversations/ports.js';
import type { Logger } from '../platform/logging/logger.js';
import { textMessage } from '../whatsapp/messages.js';
import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { CampaignMessageRef, CampaignMessages } from './campaign-messages.js';
import { campaignModels, type EnrollmentStatus } from './models.js';
import type { RecentCampaignSends } from './recent-sends.js';

/** The consent source an opt-out by keyword records. */
export const OPT_OUT_SOURCE = 'whatsapp_keyword';
/** How long after a campaign message an unquoted keyword still answers it. */
export const OPT_OUT_WINDOW_MS = 7 * 24 * 3_600_000;
/** What the user reads (es-CO). */
export const OPT_OUT_CONFIRMATION = 'Listo, ya no te enviaremos más mensajes de nuestras campañas. Si necesitas algo, escríbenos cuando quieras: aquí seguimos para ayudarte.';

/**
 * Whole messages (folded) that ask to stop campaign messages. Conservative on purpose: no
 * "cancelar" (a user may want to cancel a service), no "salir" (leaves a chat with an agent), no
 * "no más" (in Colombia also "just that").
 */
export const OPT_OUT_PHRASES: readonly string[] = [
  'baja',
  'de baja',
  'dar de baja',
  'darme de baja',
  'darse de baja',
  'quiero darme de baja',
  'stop',
  'unsubscribe',
  'stop promotions',
  'detener promociones',
  'no mas mensajes',
  'no quiero mas mensajes',
  'no quiero recibir mas mensajes',
  'no me escriban mas',
  'no me escriban',
  'no me envien mas mensajes',
  'no me manden mas mensajes',
  'no me envien mas',
  'no me manden mas',
  'cancelar suscripcion',
  'cancelar mi suscripcion',
  'anular suscripcion',
  'desuscribir',
  'desuscribirme',
  'eliminar suscripcion',
];
const PHRASES = new Set(OPT_OUT_PHRASES);

/** Lowercase, without accents, punctuation or emoji, single spaces. */
export function foldKeyword(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a user's message that may be an opt-out: a text, or a template quick-reply button's text. */
export function keywordText(event: InboundEvent): string | undefined {
  if (event.type === 'text') return event.text;
  if (event.type === 'quick_reply') return event.text;
  return undefined;
}

/** Whether the whole message is an opt-out phrase. */
export function isOptOutPhrase(text: string | undefined): boolean {
  return text !== undefined && text.length <= 80 && PHRASES.has(foldKeyword(text));
}

const RUNNING: EnrollmentStatus[] = ['pending', 'active', 'paused'];

export interface OptOut {
  /** The inbound turn's interceptor: takes an opt-out keyword answering a campaign message. */
  interceptor: InboundInterceptor;
  /** The campaign message this keyword answers, by the rules above (null: it is not an opt-out). */
  answers(event: InboundEvent, conversationKey: string, ticketOpen: boolean): Promise<CampaignMessageRef | null>;
  /** Opts the contact out and ends its running enrollments; returns how many ended. */
  unsubscribe(orgId: string, contactId: string, at: Date): Promise<number>;
}

export function createOptOut(deps: { connection: Connection; messages: CampaignMessages; contacts: Pick<ContactStore, 'update'>; logger: Logger; recent?: RecentCampaignSends; now?: () => Date }): OptOut {
  const { Enrollment } = campaignModels(deps.connection);
  const now = deps.now ?? (() => new Date());

  async function answers(event: InboundEvent, conversationKey: string, ticketOpen: boolean): Promise<CampaignMessageRef | null> {
    if (!isOptOutPhrase(keywordText(event))) return null;
    const at = new Date(event.timestamp * 1000);
    if (event.context?.id) {
      const quoted = await deps.messages.byWamid(event.context.id);
      return quoted && quoted.waId === event.waId ? quoted : null;
    }
    if (ticketOpen) return null;
    if (deps.recent && !(await deps.recent.maybe(conversationKey))) return null;
    const last = await deps.messages.lastSentBefore(conversationKey, at);
    return last && last.waId === event.waId && at.getTime() - last.at.getTime() <= OPT_OUT_WINDOW_MS ? last : null;
  }

  async function unsubscribe(orgId: string, contactId: string, at: Date): Promise<number> {
    // The contact store's consent path: history entry, contact.unsubscribed in the same write; a
    // contact opted out already is left as it is (no second entry, no second event).
    await deps.contacts.update(orgId, contactId, { opt_in_status: 'opted_out', opt_in_source: OPT_OUT_SOURCE, opt_in_at: at });
    const ended = await Enrollment.collection.updateMany(
      { org_id: orgId, contact_id: contactId, status: { $in: RUNNING } },
      { $set: { status: 'unsubscribed', exit_reason: 'opted_out', unsubscribed_at: at, updated_at: now() }, $unset: { next_step_at: '' } },
    );
    return ended.modifiedCount;
  }

  return {
    answers,
    unsubscribe,
    interceptor: {
      async intercept(conversation, event, { ticketOpen }) {
        const message = await answers(event, conversation.key, ticketOpen);
        if (!message) return null;
        const enrollment = await Enrollment.collection.findOne({ _id: message.enrollmentId as never, campaign_id: message.campaignId }, { projection: { org_id: 1, contact_id: 1 } });
        if (!enrollment) return null; // the contact was deleted: nobody left to opt out
        const orgId = String(enrollment.org_id);
        const contactId = String(enrollment.contact_id);
        const ended = await unsubscribe(orgId, contactId, new Date(event.timestamp * 1000));
        deps.logger.info({ orgId, contactId, campaignId: message.campaignId, ended }, 'contact opted out of campaigns by keyword');
        return { reply: [textMessage(event.waId, OPT_OUT_CONFIRMATION)], reason: 'campaign_opt_out' };
      },
    },
  };
}
