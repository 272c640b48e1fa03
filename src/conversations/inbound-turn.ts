import { laneHandlers, type LaneHandlers } from '../../queues/lanes.js';
import { laneKeyOf } from '../whatsapp/normalize.js';
import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { ConversationLog } from './conversation-log.js';
import type { ConversationTracker } from './conversation-tracker.js';
import { describeInbound } from './describe-inbound.js';
import type { InboundLaneItem } from './lane-items.js';
import type { Outbound } from './outbound.js';
import type { Logger } from '../platform/logging/logger.js';
import type { HandoverGate, InboundInterceptor, InboundObserver, Responder } from './ports.js';
import type { Reply } from './replies.js';

/**
 * One user message in its lane: it is logged, then the handover gate decides: an open ticket
 * takes it for the agent, otherwise the responder (the bot) answers; either way the message is
 * marked read.
 */
export function createInboundTurn(deps: { log: ConversationLog; outbound: Outbound; reply: Reply; gate: HandoverGate; responder: Responder; observers?: InboundObserver[]; interceptors?: InboundInterceptor[]; logger: Logger; conversations?: Pick<ConversationTracker, 'touch' | 'userLeft'> }): LaneHandlers {
  async function onInbound(event: InboundEvent): Promise<void> {
    const lane = laneKeyOf(event);
    const ticket = await deps.gate.findOpen(lane);
    const { text, media } = describeInbound(event);
    const at = new Date(event.timestamp * 1000);
    // The conversation it belongs to (one Redis script, ./conversation-tracker.ts) goes with the log write.
    const open = deps.conversations?.touch(lane, { wamid: event.wamid, at, phoneNumberId: event.phoneNumberId, waId: event.waId }) ?? Promise.resolve(undefined);
    const logged = open.then((started) => deps.log.logInbound({
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
      at,
    }, started));
    // A read receipt for every message. When the bot answers, it rides with the first reply (sent
    // to Graph alongside it, no job of its own); otherwise (relayed to the CRM, nothing to say) it
    // is a job on the unordered receipts queue. No typing indicator: the bot answers within a
    // second, and an indicator that reached Meta after the answer would keep "escribiendo…" on
    // screen for 25 s.
    const receipt = () =>
      deps.outbound.enqueue([
        { id: `${event.wamid}.read`, phoneNumberId: event.phoneNumberId, to: event.waId, author: 'bot', createdAt: Date.now(), payload: { kind: 'mark_read', wamid: event.wamid, typing: false } },
      ]);
    const conversation = { key: lane, waId: event.waId, phoneNumberId: event.phoneNumberId, ...(event.profileName ? { profileName: event.profileName } : {}) };
    logged.catch(() => undefined); // awaited below; this only keeps an interceptor's failure from leaving it unobserved
    // An interceptor (e.g. a campaign opt-out keyword) may take the message before anyone else: it
    // is answered here, the bot never sees it, and an agent with the ticket still gets it.
    for (const interceptor of deps.interceptors ?? []) {
      const taken = await interceptor.intercept(conversation, event, { ticketOpen: ticket !== null });
      if (!taken) continue;
      deps.logger.info({ wamid: event.wamid, reason: taken.reason }, 'inbound message taken by an interceptor');
      await deps.reply({ phoneNumberId: event.phoneNumberId, to: event.waId, ...(ticket ? { ticketId: ticket.ticketId } : {}) }, event.wamid, taken.reply, { tag: event.wamid, markRead: event.wamid, userWroteAt: event.timestamp });
      await logged;
      if (ticket) await ticket.take(event);
      if (taken.reply.length === 0) await receipt();
      return;
    }
    // With a ticket the message is relayed to the CRM, which may read the log right away: log
    // first. The bot's answer does not depend on the log, so there the write overlaps the bot.
    if (ticket) {
      await logged;
      if (await ticket.take(event)) return receipt();
    } else {
      logged.catch(() => undefined); // awaited below; this only keeps a bot failure from leaving it unobserved
    }
    let answered = false;
    const outcome = await deps.responder.respond(conversation, event, async (out) => {
      await deps.reply({ phoneNumberId: event.phoneNumberId, to: event.waId }, event.wamid, out, { tag: event.wamid, markRead: event.wamid, userWroteAt: event.timestamp });
      answered = out.length > 0;
    });
    if (!answered) {
      // Silence may mean the CRM closed the ticket after the user wrote this (see HandoverGate.relayLate).
      const late = await deps.gate.relayLate(event);
      if (late) await logged.then(() => deps.log.linkToTicket(event.wamid, late.ticketId));
      await receipt();
    }
    await logged;
    // The user left the bot ("salir"): the conversation ends (recorded on its first message, logged by now).
    if (outcome?.ended) await deps.conversations?.userLeft(lane);
  }

  const observers = deps.observers ?? [];
  /** After the turn, unawaited: the lane moves to the user's next message while observers work. */
  const tellObservers = (event: InboundEvent) => {
    for (const observe of observers) observe(event).catch((err: unknown) => deps.logger.warn({ err, wamid: event.wamid }, 'an inbound observer failed; the next message tells it again'));
  };

  return laneHandlers<InboundLaneItem>({
    inbound: async (item) => {
      await onInbound(item.event);
      tellObservers(item.event);
    },
  });
}
