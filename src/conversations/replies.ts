import type { Author } from './message-log.js';
import type { OutboundMessage } from '../whatsapp/outbound-types.js';
import type { Outbound } from './outbound.js';
import { conversationKey } from '../whatsapp/normalize.js';

export interface ReplyTarget {
  phoneNumberId: string;
  /** The user's wa_id. */
  to: string;
  ticketId?: string;
}

export interface ReplyOptions {
  /** Who wrote it, for the conversation log (default `bot`). */
  author?: Author;
  /** Sent as `biz_opaque_callback_data`: Meta echoes it in status webhooks. */
  tag?: string;
  /** The user's message these messages answer: its read receipt goes to Graph with the first one. */
  markRead?: string;
  /**
   * Meta's timestamp (unix seconds) of the user's message these messages answer: the service
   * window is open from it, so it is not read from Redis before queueing (the send checks again).
   */
  userWroteAt?: number;
}

/**
 * Queues messages to one user from inside their lane. `idBase` must be stable for the lane item
 * that produces them (e.g. its id), so processing the item again cannot send anything twice.
 */
export function createReplier(outbound: Outbound) {
  return async function reply(target: ReplyTarget, idBase: string, messages: OutboundMessage[], options: ReplyOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    const { author = 'bot', tag, markRead, userWroteAt } = options;
    const createdAt = Date.now();
    await outbound.enqueue(
      messages.map((message, i) => ({
        id: `${idBase}.r${i}`,
        phoneNumberId: target.phoneNumberId,
        to: target.to,
        author,
        createdAt,
        ...(target.ticketId ? { ticketId: target.ticketId } : {}),
        ...(i === 0 && markRead ? { alsoMarkRead: markRead } : {}),
        // Meta echoes this in status webhooks, tracing each reply to what caused it.
        payload: { kind: 'message' as const, message: tag ? { ...message, biz_opaque_callback_data: tag } : message, freeForm: message.type !== 'template' },
      })),
      userWroteAt === undefined ? {} : { window: { conversationKey: conversationKey(target.phoneNumberId, target.to), userWroteAt } },
    );
  };
}

export type Reply = ReturnType<typeof createReplier>;
