import { toOutboundMessage } from '../bot/whatsapp-adapter.js';
import type { Bot } from '../bot/runner.js';
import type { Config } from '../src/platform/config/index.js';
import type { Logger } from '../src/platform/logging/logger.js';
import { buttonsMessage, textMessage } from '../src/whatsapp/messages.js';
import { agentMessageOf } from './agent-message.js';
import type { InboundEvent } from '../src/whatsapp/webhook-events.js';
import type { BridgeLaneItemOf as LaneItemOf, HandoverEndReason } from './lane-items.js';
import type { Mailbox } from '../queues/mailbox.js';
import { ServiceWindowClosedError } from '../src/conversations/outbound.js';
import type { Reply } from '../src/conversations/replies.js';
import { describeInbound } from '../src/conversations/describe-inbound.js';
import { laneKeyOf } from '../src/whatsapp/normalize.js';
import type { CrmItem } from './crm-relay.js';
import type { TicketEventName } from '../src/crm/crm-payloads.js';
import { isLeaveConfirmation, isLeaveRequest, LEAVE_NO_ID, LEAVE_YES_ID } from './leave-words.js';
import { bridgeEs } from './messages.es.js';
import type { BridgeMetrics } from './metrics.js';
import type { Ticket } from './ticket-model.js';
import type { TicketStore } from './ticket-store.js';
import type { Timers } from './timers.js';

export interface BridgeLaneDeps {
  config: Config;
  tickets: TicketStore;
  crm: Mailbox<CrmItem>;
  timers: Timers;
  reply: Reply;
  metrics: BridgeMetrics;
  logger: Logger;
}

const seconds = (from: Date | undefined, to: Date) => (from ? (to.getTime() - from.getTime()) / 1000 : undefined);

/**
 * What the CRM bridge does inside a conversation lane: the gate in front of the bot, and the
 * ticket lifecycle items (opened, agent joined, closed, agent messages, timers). Each handler
 * re-reads the ticket, so an item whose ticket moved on is ignored.
 */
export function createBridgeLaneHandlers(deps: BridgeLaneDeps, bot: Bot) {
  const { tickets, config } = deps;
  const target = (t: Ticket) => ({ phoneNumberId: t.phoneNumberId, to: t.userPhone, ticketId: t.ticketId });
  const conversation = (t: Ticket) => ({ key: t.conversationKey, waId: t.userPhone, phoneNumberId: t.phoneNumberId });

  /** `idBase` also tags the messages (Meta echoes it in statuses): the wamid or lane item that caused them. */
  async function say(t: Ticket, idBase: string, ...texts: string[]): Promise<void> {
    try {
      await deps.reply(target(t), idBase, texts.map((text) => textMessage(t.userPhone, text)), { tag: idBase });
    } catch (err) {
      // Outside the 24 h window nobody can be told anything; the ticket still moves on.
      if (!(err instanceof ServiceWindowClosedError)) throw err;
      deps.logger.warn({ ticketId: t.ticketId }, 'service window closed; user not notified');
    }
  }

  async function tellCrm(t: Ticket, event: TicketEventName, id: string, reason?: string): Promise<void> {
    const body = { ticketId: t.ticketId, userPhone: t.userPhone, event, ...(reason ? { reason } : {}), timestamp: new Date().toISOString() };
    await deps.crm.push([{ lane: t.conversationKey, item: { id, kind: 'ticket_event', ticketId: t.ticketId, body }, dedupeKey: id }]);
  }

  /** After a ticket closed: tell the user why, hand the conversation back to the bot (menu). */
  async function handBack(t: Ticket, reason: HandoverEndReason, idBase: string): Promise<void> {
    const now = new Date();
    deps.metrics.resolutionTime.observe({ reason }, seconds(t.startTime, now) ?? 0);
    deps.logger.info({ event: 'control_returned', ticketId: t.ticketId, reason }, `Control regresado: Humano→Bot - ${t.ticketId}`);
    const why: Partial<Record<HandoverEndReason, string>> = {
      agent_resolved: bridgeEs.resolved,
      customer_left: bridgeEs.leave.done,
      assignment_timeout: bridgeEs.assignmentTimeout(config.EMERGENCY_PHONE),
    };
    await bot.handoverEnded(conversation(t), `${idBase}.bot`, async (menu) => {
      // An idle close is silent: the user meets the bot again on their next message.
      if (reason === 'idle_timeout') return;
      const first = why[reason] ? [textMessage(t.userPhone, why[reason])] : [];
      try {
        await deps.reply(target(t), idBase, [...first, ...menu.map((m) => toOutboundMessage(t.userPhone, m))], { tag: idBase });
      } catch (err) {
        if (!(err instanceof ServiceWindowClosedError)) throw err;
      }
    });
  }

  async function close(t: Ticket, reason: HandoverEndReason, idBase: string, event?: TicketEventName): Promise<void> {
    const result = await tickets.close(t.ticketId, reason, new Date());
    if ('error' in result) return;
    // Unchanged with the same reason means this item is being processed again after a crash:
    // finish the job (every step below is idempotent by id) instead of leaving the user untold.
    if (!result.changed && result.ticket.closeReason !== reason) return;
    if (event) await tellCrm(result.ticket, event, `${idBase}.event`);
    await handBack(result.ticket, reason, idBase);
  }

  /** The gate: a user message while a ticket is open goes to the CRM; returns false when the bot should answer. */
  async function gate(event: InboundEvent, ticket: Ticket | null, idBase: string): Promise<boolean> {
    if (!ticket) return false;
    if (ticket.leaveRequestedAt) {
      const answer = isLeaveConfirmation(event);
      if (answer === 'yes') {
        await close(ticket, 'customer_left', idBase, 'customer_left');
        return true;
      }
      await tickets.clearLeaveRequest(ticket.ticketId);
      if (answer === 'no') {
        await say(ticket, idBase, bridgeEs.leave.cancelled);
        return true;
      }
    } else if (isLeaveRequest(event)) {
      await tickets.requestLeave(ticket.ticketId, new Date());
      const question = buttonsMessage(ticket.userPhone, {
        body: bridgeEs.leave.question,
        buttons: [
          { id: LEAVE_YES_ID, title: bridgeEs.leave.yes },
          { id: LEAVE_NO_ID, title: bridgeEs.leave.no },
        ],
      });
      await deps.reply(target(ticket), idBase, [question], { tag: idBase });
      return true;
    }
    await relay(event, ticket);
    return true;
  }

  /** Sends a user message to the CRM as part of `ticket`'s conversation, in order, and counts it. */
  async function relay(event: InboundEvent, ticket: Ticket): Promise<void> {
    const { text, media } = describeInbound(event);
    const body = {
      ticketId: ticket.ticketId,
      userPhone: ticket.userPhone,
      messageId: event.wamid,
      messageType: event.type,
      ...(text !== undefined ? { text } : {}),
      ...(media?.id ? { media: { id: media.id, mimeType: media.mimeType ?? 'application/octet-stream', ...(media.caption ? { caption: media.caption } : {}), ...(media.filename ? { filename: media.filename } : {}) } } : {}),
      timestamp: new Date(event.timestamp * 1000).toISOString(),
    };
    const id = `${event.wamid}.relay`;
    // Counting the activity and queueing the relay do not depend on each other: both at once.
    await Promise.all([
      tickets.recordActivity(ticket.ticketId, { now: new Date(), from: 'user' }),
      deps.crm.push([{ lane: ticket.conversationKey, item: { id, kind: 'user_message', ticketId: ticket.ticketId, body }, dedupeKey: id }]),
    ]);
  }

  /**
   * A message the bot left unanswered, sent while a ticket was open that has closed since: the
   * CRM's close overtook it in the lane (the "resolved" notice is queued behind it, and the bot
   * is still in its silent handover state). It was written to the agent, so it goes to the CRM.
   * Returns the ticket it was relayed under, or null.
   */
  async function relayLate(event: InboundEvent): Promise<Ticket | null> {
    const ticket = await tickets.findClosedSince(laneKeyOf(event), new Date(event.timestamp * 1000));
    if (ticket) await relay(event, ticket);
    return ticket;
  }

  const handlers = {
    async ticket_opened(item: LaneItemOf<'ticket_opened'>) {
      const t = await tickets.findById(item.ticketId);
      if (!t || t.status === 'closed') return;
      await say(t, item.id, bridgeEs.connecting);
      const id = `${t.ticketId}.agent-request`;
      await deps.crm.push([{ lane: t.conversationKey, item: { id, kind: 'agent_request', ticketId: t.ticketId }, dedupeKey: id }]);
      const due = t.startTime.getTime() + config.HANDOVER_ASSIGN_TIMEOUT_SECONDS * 1000 - Date.now();
      await deps.timers.schedule({ lane: t.conversationKey, ticketId: t.ticketId, timer: 'assign', stage: 1 }, due);
    },

    async agent_joined(item: LaneItemOf<'agent_joined'>) {
      const t = await tickets.findById(item.ticketId);
      if (!t || t.status !== 'active') return;
      deps.logger.info({ event: 'handover_completed', ticketId: t.ticketId, agentId: t.assignedAgent?.id }, `Handover completado: Bot→Humano - ${t.ticketId}`);
      await say(t, item.id, bridgeEs.agentJoined(item.agentName));
      const due = t.lastActivity.getTime() + config.HANDOVER_IDLE_TIMEOUT_SECONDS * 1000 - Date.now();
      await deps.timers.schedule({ lane: t.conversationKey, ticketId: t.ticketId, timer: 'idle', stage: 0 }, due, t.lastActivity.getTime());
    },

    async handover_closed(item: LaneItemOf<'handover_closed'>) {
      const t = await tickets.findById(item.ticketId);
      if (t?.status === 'closed') await handBack(t, item.reason, item.id);
    },

    async agent_message(item: LaneItemOf<'agent_message'>) {
      const t = await tickets.findById(item.ticketId);
      // The CRM got a 200 for it while the ticket was active (send-message checks). A close since
      // then is behind it in this lane (human_to_bot: the agent's goodbye, then "resolved") or
      // happened here after the call (a timer, the user leaving): either way it was accepted, so
      // it goes out. Only a ticket closed before the call was accepted never gets it.
      if (!t || !(t.status === 'active' || (t.status === 'closed' && (t.closedAt?.getTime() ?? 0) >= item.receivedAt))) {
        deps.logger.warn({ ticketId: item.ticketId, messageId: item.id, status: t?.status }, 'agent message for a ticket that was not active when it was accepted; not sent');
        return;
      }
      const message = agentMessageOf(t.userPhone, item);
      const send = async () => {
        try {
          await deps.reply(target(t), item.id, [message], { author: 'agent' });
        } catch (err) {
          if (!(err instanceof ServiceWindowClosedError)) throw err;
          deps.logger.warn({ ticketId: t.ticketId, messageId: item.id }, 'agent message not sent: the 24 h window closed');
        }
      };
      // Counting the activity and queueing the send do not depend on each other: both at once.
      const now = new Date();
      await Promise.all([tickets.recordActivity(t.ticketId, { now, from: 'agent' }), send()]);
      // Agent messages of a ticket are handled one at a time in its lane, so `t` (read after the
      // previous one was counted) tells whether this is the first; a retried item re-reads it.
      if (!t.firstAgentMessageAt) deps.metrics.agentFirstResponse.observe(seconds(t.assignedAt, now) ?? 0);
    },

    async timer(item: LaneItemOf<'timer'>) {
      const t = await tickets.findById(item.ticketId);
      if (!t) return;
      if (item.timer === 'assign' && t.status === 'pending') {
        if (item.stage === 1) {
          // escalationLevel guards against escalating twice when this item is processed again.
          const escalated = t.escalationLevel < 1 ? await tickets.escalate(t.ticketId, new Date()) : { ticket: t };
          await say(t, item.id, bridgeEs.agentsBusy(config.EMERGENCY_PHONE));
          await tellCrm('ticket' in escalated ? escalated.ticket : t, 'assignment_timeout_warning', `${item.id}.event`);
          await deps.timers.schedule({ lane: t.conversationKey, ticketId: t.ticketId, timer: 'assign', stage: 2 }, config.HANDOVER_ASSIGN_TIMEOUT_SECONDS * 1000);
        } else {
          await close(t, 'assignment_timeout', item.id, 'assignment_timeout');
        }
      } else if (item.timer === 'idle' && t.status === 'active') {
        const due = t.lastActivity.getTime() + config.HANDOVER_IDLE_TIMEOUT_SECONDS * 1000;
        if (due > Date.now()) {
          await deps.timers.schedule({ lane: t.conversationKey, ticketId: t.ticketId, timer: 'idle', stage: 0 }, due - Date.now(), t.lastActivity.getTime());
        } else {
          await close(t, 'idle_timeout', item.id, 'idle_timeout');
        }
      }
    },

    async crm_unreachable(item: LaneItemOf<'crm_unreachable'>) {
      const t = await tickets.findById(item.ticketId);
      if (t?.status === 'pending') await say(t, item.id, bridgeEs.crmDelayed(config.EMERGENCY_PHONE));
    },
  };

  return { gate, relayLate, handlers };
}

export type BridgeLaneHandlers = ReturnType<typeof createBridgeLaneHandlers>;
