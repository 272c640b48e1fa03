import type { ConversationLog } from '../src/conversations/conversation-log.js';
import { describeInbound } from '../src/conversations/describe-inbound.js';
import { laneKeyOf } from '../src/whatsapp/normalize.js';
import type { OutboundMessage } from '../src/whatsapp/outbound-types.js';
import type { InboundEvent } from '../src/whatsapp/webhook-events.js';
import type { LaneItem } from './lane-items.js';
import type { HandlerContext, MailboxHandler } from './mailbox.js';
import type { Outbound, OutboundItem } from './outbound.js';

/**
 * Decides what Puente answers to one inbound message (the bot, or nothing while an agent has the
 * conversation). Called once per message, in order, per conversation; must be idempotent per wamid.
 */
export type InboundResponder = (event: InboundEvent, ctx: HandlerContext) => Promise<OutboundMessage[]>;

/**
 * The single entry point of a conversation lane: every item for one user passes here, in order.
 * Inbound messages are logged, marked read (with the typing indicator while we work), answered.
 */
export function createLaneHandler(deps: { log: ConversationLog; outbound: Outbound; respond: InboundResponder }): MailboxHandler<LaneItem> {
  async function onInbound(event: InboundEvent, ctx: HandlerContext): Promise<void> {
    const { text, media } = describeInbound(event);
    await deps.log.logInbound({
      wamid: event.wamid,
      conversationKey: laneKeyOf(event),
      phoneNumberId: event.phoneNumberId,
      waId: event.waId,
      direction: 'inbound',
      author: 'user',
      type: event.type,
      text,
      media,
      at: new Date(event.timestamp * 1000),
    });
    const replies = await deps.respond(event, ctx);
    const base = { phoneNumberId: event.phoneNumberId, to: event.waId, author: 'bot' as const, createdAt: Date.now() };
    // Ids derive from the wamid, so re-processing this item after a crash cannot queue a send twice.
    const items: OutboundItem[] = [
      { ...base, id: `${event.wamid}.read`, payload: { kind: 'mark_read', wamid: event.wamid, typing: replies.length > 0 } },
      ...replies.map((message, i) => ({
        ...base,
        id: `${event.wamid}.r${i}`,
        // Meta echoes this in status webhooks: every reply can be traced to the message it answers.
        payload: { kind: 'message' as const, message: { ...message, biz_opaque_callback_data: event.wamid }, freeForm: true },
      })),
    ];
    await deps.outbound.enqueue(items);
  }

  return async (item, ctx) => {
    switch (item.kind) {
      case 'inbound':
        return onInbound(item.event, ctx);
    }
  };
}
