import type { HandoverPort } from '../bot/ports.js';
import type { Logger } from '../src/platform/logging/logger.js';
import type { LanePush } from '../queues/lanes.js';
import type { BridgeLaneItem } from './lane-items.js';
import { buildAgentRequest } from '../src/crm/crm-payloads.js';
import type { BridgeMetrics } from './metrics.js';
import type { TicketStore } from './ticket-store.js';

/**
 * The bot's way to ask for a person: opens the ticket (one open ticket per user, enforced by
 * MongoDB) and drops a `ticket_opened` item into the user's lane. That item runs after the bot's
 * own replies to the current message are queued, so "Conectando con un asesor…" comes after them.
 */
export function createHandoverPort(deps: { tickets: TicketStore; lanes: { push: LanePush<BridgeLaneItem> }; metrics: BridgeMetrics; logger: Logger }): HandoverPort {
  return {
    async requestHandover(request) {
      const { conversation, customer } = request;
      const now = new Date(request.requestedAt);
      const { userContext } = buildAgentRequest({
        ticketId: '',
        userPhone: conversation.waId,
        customer: { customerId: customer.customerId, customerName: customer.customerName, serviceSuspended: customer.serviceSuspended },
        priority: request.priority,
        category: request.category,
        sessionStart: request.sessionStartedAt,
        lastActivity: request.requestedAt,
        requestTime: request.requestedAt,
      });
      const { ticket, created } = await deps.tickets.open({
        conversationKey: conversation.key,
        phoneNumberId: conversation.phoneNumberId,
        userPhone: conversation.waId,
        customer: { customerId: customer.customerId, customerName: customer.customerName, serviceSuspended: customer.serviceSuspended },
        userContext,
        category: request.category,
        priority: request.priority,
        now,
      });
      if (created) {
        deps.metrics.ticketsOpened.inc({ category: ticket.category, priority: ticket.priority });
        deps.logger.info({ event: 'ticket_opened', ticketId: ticket.ticketId, category: ticket.category, priority: ticket.priority, reason: request.reason }, 'handover ticket opened');
      }
      // Deduplicated by id: a redelivered lane item cannot announce the ticket twice.
      const id = `${ticket.ticketId}.opened`;
      await deps.lanes.push([{ lane: conversation.key, item: { id, kind: 'ticket_opened', ticketId: ticket.ticketId }, dedupeKey: id }]);
    },
  };
}
