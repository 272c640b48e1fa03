import type { Mailbox } from '../queues/mailbox.js';
import type { SendFailureListener } from '../src/conversations/outbound.js';
import type { Logger } from '../src/platform/logging/logger.js';
import type { CrmItem } from './crm-relay.js';
import type { TicketStore } from './ticket-store.js';

/**
 * An agent's message that WhatsApp will never deliver (refused by Meta for good, the 24 h window
 * closed while it waited, retries exhausted) is reported to the CRM as a `message_failed` ticket
 * event naming the message and the reason, in the conversation's order with the other CRM calls
 * — once per message (the CRM mailbox dedupes), so the agent learns the user did not get it.
 */
export function reportAgentSendFailures(deps: { tickets: TicketStore; crm: Pick<Mailbox<CrmItem>, 'push'>; logger: Logger }): SendFailureListener {
  return async ({ item, code, title }) => {
    if (item.author !== 'agent' || !item.ticketId) return;
    const ticket = await deps.tickets.findById(item.ticketId);
    if (!ticket) return;
    const id = `send-failed:${item.id}`;
    // The outbound id is the send-message id with the reply's index (`agm-….r0`).
    const messageId = item.id.replace(/\.r\d+$/, '');
    const body = { ticketId: ticket.ticketId, userPhone: ticket.userPhone, event: 'message_failed' as const, reason: `${String(code)}${title ? `: ${title}` : ''}`, messageId, timestamp: new Date().toISOString() };
    await deps.crm.push([{ lane: ticket.conversationKey, item: { id, kind: 'ticket_event', ticketId: ticket.ticketId, body }, dedupeKey: id }]);
    deps.logger.warn({ ticketId: ticket.ticketId, code }, 'agent message not delivered; the CRM is told');
  };
}
