import type { Bot } from '../../bot/runner.js';
import { toBotInput, toOutboundMessage } from '../../bot/whatsapp-adapter.js';
import type { BridgeLaneHandlers } from '../../crm-bridge/lane-handlers.js';
import type { TicketStore } from '../../crm-bridge/ticket-store.js';
import type { ConversationLog } from './conversation-log.js';
import { describeInbound } from './describe-inbound.js';
import { laneKeyOf } from '../whatsapp/normalize.js';
import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { LaneItem } from './lane-items.js';
import type { MailboxHandler } from '../../queues/mailbox.js';
import type { Outbound } from './outbound.js';
import type { Reply } from './replies.js';

/**
 * The single entry point of a conversation lane: every item for one user passes here, in order.
 * An inbound message is logged, then the handover gate decides: an open ticket relays it to the
 * CRM, otherwise the bot answers; either way the message is marked read. CRM calls and timers run
 * their bridge handler.
 */
export function createLaneHandler(deps: { log: ConversationLog; outbound: Outbound; reply: Reply; tickets: TicketStore; bot: Bot; bridge: BridgeLaneHandlers }): MailboxHandler<LaneItem> {
  async function onInbound(event: InboundEvent): Promise<void> {
    const lane = laneKeyOf(event);
    const ticket = await deps.tickets.findOpen(lane);
    const { text, media } = describeInbound(event);
    const logged = deps.log.logInbound({
      wamid: event.wamid,
      conversationKey: lane,
      phoneNumberId: event.phoneNumberId,
      waId: event.waId,
      direction: 'inbound',
      author: 'user',
      type: event.type,
      text,
      media,
      ...(ticket ? { ticketId: ticket.ticketId } : {}),
      at: new Date(event.timestamp * 1000),
    });
    // A read receipt for every message. When the bot answers, it rides with the first reply (sent
    // to Graph alongside it, no job of its own); otherwise (relayed to the CRM, nothing to say) it
    // is a job on the unordered receipts queue. No typing indicator: the bot answers within a
    // second, and an indicator that reached Meta after the answer would keep "escribiendo…" on
    // screen for 25 s.
    const receipt = () =>
      deps.outbound.enqueue([
        { id: `${event.wamid}.read`, phoneNumberId: event.phoneNumberId, to: event.waId, author: 'bot', createdAt: Date.now(), payload: { kind: 'mark_read', wamid: event.wamid, typing: false } },
      ]);
    // With a ticket the message is relayed to the CRM, which may read the log right away: log
    // first. The bot's answer does not depend on the log, so there the write overlaps the bot.
    if (ticket) {
      await logged;
      if (await deps.bridge.gate(event, ticket, event.wamid)) return receipt();
    } else {
      logged.catch(() => undefined); // awaited below; this only keeps a bot failure from leaving it unobserved
    }
    const conversation = { key: lane, waId: event.waId, phoneNumberId: event.phoneNumberId, ...(event.profileName ? { profileName: event.profileName } : {}) };
    let answered = false;
    await deps.bot.handle(conversation, toBotInput(event), event.wamid, async (messages) => {
      const out = messages.map((m) => toOutboundMessage(event.waId, m));
      await deps.reply({ phoneNumberId: event.phoneNumberId, to: event.waId }, event.wamid, out, { tag: event.wamid, markRead: event.wamid });
      answered = out.length > 0;
    });
    if (!answered) {
      // Silence may mean the CRM closed the ticket after the user wrote this (see relayLate).
      const late = await deps.bridge.relayLate(event);
      if (late) await logged.then(() => deps.log.linkToTicket(event.wamid, late.ticketId));
      await receipt();
    }
    await logged;
  }

  const { handlers } = deps.bridge;
  return async (item) => {
    switch (item.kind) {
      case 'inbound':
        return onInbound(item.event);
      case 'ticket_opened':
        return handlers.ticket_opened(item);
      case 'agent_joined':
        return handlers.agent_joined(item);
      case 'handover_closed':
        return handlers.handover_closed(item);
      case 'agent_message':
        return handlers.agent_message(item);
      case 'timer':
        return handlers.timer(item);
      case 'crm_unreachable':
        return handlers.crm_unreachable(item);
    }
  };
}
