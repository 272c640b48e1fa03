import { compact, eventBase, messageBody, toWhatsAppError } from './normalize-message.js';
import type { InboundEvent, NormalizedWebhook, StatusEvent } from './webhook-events.js';
import { WebhookPayloadError, parseWebhookEnvelope } from './webhook-schema.js';
import type { InboundMessage, MessagesValue, WebhookStatus } from './webhook-schema.js';

/**
 * The lane id of a conversation: everything for one user on one business number is processed in
 * order under this key.
 *
 * @example conversationKey('106540352242922', '573001234567') // → '106540352242922:573001234567'
 */
export function conversationKey(phoneNumberId: string, waId: string): string {
  return `${phoneNumberId}:${waId}`;
}

/** The lane id of an inbound event. */
export function laneKeyOf(event: Pick<InboundEvent, 'phoneNumberId' | 'waId'>): string {
  return conversationKey(event.phoneNumberId, event.waId);
}

function senderOf(
  message: InboundMessage,
  index: number,
  value: MessagesValue,
): { waId: string; profileName: string | undefined } | undefined {
  const contacts = value.contacts ?? [];
  const messageCount = value.messages?.length ?? 0;
  // `from` is the documented source. Without it, a contact can still be attributed when there is no
  // ambiguity: a single sender profile, or one profile per message in the same order.
  const fallback = contacts.length === 1 ? contacts[0] : contacts.length === messageCount ? contacts[index] : undefined;
  const waId = message.from ?? fallback?.wa_id;
  if (waId === undefined || waId === '') return undefined;
  const profile = contacts.find((c) => c.wa_id === waId) ?? (message.from === undefined ? fallback : undefined);
  return { waId, profileName: profile?.profile?.name };
}

function toStatusEvent(status: WebhookStatus, phoneNumberId: string, displayPhoneNumber: string): StatusEvent {
  const { pricing, conversation } = status;
  return compact({
    wamid: status.id,
    phoneNumberId,
    displayPhoneNumber,
    recipientId: status.recipient_id,
    status: status.status,
    timestamp: status.timestamp,
    errors: (status.errors ?? []).map(toWhatsAppError),
    pricing:
      pricing &&
      compact({
        billable: pricing.billable,
        pricingModel: pricing.pricing_model,
        category: pricing.category,
        type: pricing.type,
      }),
    conversation:
      conversation &&
      compact({
        id: conversation.id,
        expirationTimestamp: conversation.expiration_timestamp,
        originType: conversation.origin?.type,
      }),
    bizOpaqueCallbackData: status.biz_opaque_callback_data,
  });
}

function collectValue(value: MessagesValue, out: NormalizedWebhook): void {
  const phoneNumberId = value.metadata.phone_number_id;
  const displayPhoneNumber = value.metadata.display_phone_number;

  (value.messages ?? []).forEach((message, index) => {
    const sender = senderOf(message, index, value);
    if (!sender) {
      out.skipped.push({ wamid: message.id, phoneNumberId, reason: 'no_sender' });
      return;
    }
    const base = eventBase(message, { phoneNumberId, displayPhoneNumber, ...sender });
    out.events.push({ ...base, ...messageBody(message) } as InboundEvent);
  });
  for (const status of value.statuses ?? []) out.statuses.push(toStatusEvent(status, phoneNumberId, displayPhoneNumber));
  for (const error of value.errors ?? []) {
    out.errors.push({ phoneNumberId, displayPhoneNumber, error: toWhatsAppError(error) });
  }
}

/**
 * Validates a parsed webhook body and flattens it into events, in payload order, across every
 * `entry[] × changes[] × messages[]/statuses[]/errors[]`.
 *
 * Changes for fields other than `messages` are skipped and their names reported in `ignoredFields`.
 * Unknown message types become `unsupported` events; they never make the payload invalid.
 *
 * @throws {WebhookPayloadError} when the envelope is not a WhatsApp Business webhook (wrong `object`,
 *   no `entry`, a `messages` change without `metadata`, a message without `id`, …); `details` lists
 *   every issue with its path.
 */
export function normalizeWebhook(payload: unknown): NormalizedWebhook {
  const parsed = parseWebhookEnvelope(payload);
  if (!parsed.success) throw new WebhookPayloadError(parsed.issues);

  const out: NormalizedWebhook = { events: [], statuses: [], errors: [], ignoredFields: [], skipped: [] };
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      if (change.kind === 'messages') collectValue(change.value, out);
      else if (!out.ignoredFields.includes(change.field)) out.ignoredFields.push(change.field);
    }
  }
  return out;
}
