import type { Author } from '../src/conversations/message-log.js';
import type { OutboundMessage } from '../src/whatsapp/outbound-types.js';
import type { Outbound } from './outbound.js';

export interface ReplyTarget {
  phoneNumberId: string;
  /** The user's wa_id. */
  to: string;
  ticketId?: string;
}

/**
 * Queues messages to one user from inside their lane. `idBase` must be stable for the lane item
 * that produces them (e.g. its id), so processing the item again cannot send anything twice.
 */
export function createReplier(outbound: Outbound) {
  return async function reply(target: ReplyTarget, idBase: string, messages: OutboundMessage[], author: Author = 'bot', tag?: string): Promise<void> {
    if (messages.length === 0) return;
    const createdAt = Date.now();
    await outbound.enqueue(
      messages.map((message, i) => ({
        id: `${idBase}.r${i}`,
        phoneNumberId: target.phoneNumberId,
        to: target.to,
        author,
        createdAt,
        ...(target.ticketId ? { ticketId: target.ticketId } : {}),
        // Meta echoes this in status webhooks, tracing each reply to what caused it.
        payload: { kind: 'message' as const, message: tag ? { ...message, biz_opaque_callback_data: tag } : message, freeForm: message.type !== 'template' },
      })),
    );
  };
}

export type Reply = ReturnType<typeof createReplier>;
