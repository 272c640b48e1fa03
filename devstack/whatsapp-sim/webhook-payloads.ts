/**
 * Webhook payloads as Meta posts them (test/fixtures/whatsapp/inbound-*.json, status-*.json):
 * `{ object, entry[{ id: WABA, changes[{ value: { messaging_product, metadata, contacts?, messages? | statuses? }, field }] }] }`.
 * Timestamps are strings of Unix seconds; statuses carry no `contacts`.
 */
import type { SimStatus } from './types.js';

export interface BusinessIdentity {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export type InboundMessageItem = Record<string, unknown> & { from: string; id: string; timestamp: string; type: string };

export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}

function envelope(business: BusinessIdentity, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: business.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: business.displayPhoneNumber, phone_number_id: business.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** One user message with the sender's profile in `value.contacts[]`. */
export function inboundWebhook(business: BusinessIdentity, sender: { waId: string; profileName: string }, message: InboundMessageItem): Record<string, unknown> {
  return envelope(business, {
    contacts: [{ profile: { name: sender.profileName }, wa_id: sender.waId }],
    messages: [message],
  });
}

export interface StatusInput {
  wamid: string;
  status: Exclude<SimStatus, 'received'>;
  atMs: number;
  recipientId: string;
  /** Templates are billed (utility); replies inside the window are free customer service. */
  template: boolean;
  conversation: { id: string; expiresAtMs: number };
  bizOpaqueCallbackData?: string;
}

/**
 * One status. `sent` and `delivered` carry `conversation` and per-message `pricing` (Meta's PMP
 * shape of status-sent.json); `read` carries neither, as in status-read.json. The conversation's
 * expiry is only on the first status of a conversation's message, which `sent` stands for here.
 */
export function statusWebhook(business: BusinessIdentity, input: StatusInput): Record<string, unknown> {
  const billed = input.status === 'sent' || input.status === 'delivered';
  const category = input.template ? 'utility' : 'service';
  const status: Record<string, unknown> = {
    id: input.wamid,
    status: input.status,
    timestamp: unixSeconds(input.atMs),
    recipient_id: input.recipientId,
  };
  if (billed) {
    status['conversation'] = {
      id: input.conversation.id,
      ...(input.status === 'sent' ? { expiration_timestamp: unixSeconds(input.conversation.expiresAtMs) } : {}),
      origin: { type: category },
    };
    status['pricing'] = {
      billable: input.template,
      pricing_model: 'PMP',
      type: input.template ? 'regular' : 'free_customer_service',
      category,
    };
  }
  if (input.bizOpaqueCallbackData !== undefined) status['biz_opaque_callback_data'] = input.bizOpaqueCallbackData;
  return envelope(business, { statuses: [status] });
}
