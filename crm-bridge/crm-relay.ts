import type { Logger } from '../src/platform/logging/logger.js';
import type { HandlerOutcome, MailboxHandler } from '../queues/mailbox.js';
import type { LanePush } from '../queues/lanes.js';
import type { BridgeLaneItem } from './lane-items.js';
import { CrmCallError, type CrmClient } from '../src/crm/crm-client.js';
import type { TicketEventBody, UserMessageBody } from '../src/crm/crm-payloads.js';
import type { BridgeMetrics } from './metrics.js';
import type { TicketStore } from './ticket-store.js';

/** One call to the CRM, queued in the conversation's CRM lane so the CRM sees them in order. */
export type CrmItem =
  | { id: string; kind: 'agent_request'; ticketId: string }
  | { id: string; kind: 'user_message'; ticketId: string; body: UserMessageBody }
  | { id: string; kind: 'ticket_event'; ticketId: string; body: TicketEventBody };

/** Failed agent-request attempts after which the user is told about the delay (the retries go on). */
export const TELL_USER_AFTER_ATTEMPTS = 3;
const MAX_RETRY_DELAY_MS = 60_000;

const backoff = (attempt: number, err: CrmCallError) => err.retryAfterMs ?? Math.min(1_000 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);

/**
 * Carries out CRM calls. Transient failures are retried in place (nothing behind them in the
 * same conversation overtakes); an agent request keeps retrying while its ticket is pending, i.e.
 * until an agent is assigned or the assignment timeout closes the ticket.
 */
export function createCrmRelay(deps: {
  crm: CrmClient;
  tickets: TicketStore;
  lanes: { push: LanePush<BridgeLaneItem> };
  metrics: BridgeMetrics;
  logger: Logger;
}): MailboxHandler<CrmItem> {
  async function agentRequest(item: Extract<CrmItem, { kind: 'agent_request' }>, attempt: number, log: Logger): Promise<HandlerOutcome | void> {
    const ticket = await deps.tickets.findById(item.ticketId);
    if (!ticket || ticket.status !== 'pending') return; // assigned or closed meanwhile: nothing left to ask
    try {
      const answer = await deps.crm.agentRequest({
        ticketId: ticket.ticketId,
        userPhone: ticket.userPhone,
        userContext: ticket.userContext,
        priority: ticket.priority,
        category: ticket.category,
        serviceSuspended: ticket.customer.serviceSuspended ?? false,
        requestTime: ticket.startTime.toISOString(),
      });
      await deps.tickets.recordCrmNotification(ticket.ticketId, { state: 'sent', now: new Date(), ...(answer.agentAssigned ? { agentAssigned: answer.agentAssigned } : {}) });
      log.info({ event: 'agent_required', ticketId: ticket.ticketId, userPhone: ticket.userPhone, agentAssigned: answer.agentAssigned?.id }, `AGENTE REQUERIDO: ticket ${ticket.ticketId}`);
      return;
    } catch (err) {
      if (!(err instanceof CrmCallError)) throw err;
      deps.metrics.crmFailures.inc({ endpoint: err.endpoint });
      await deps.tickets.recordCrmNotification(ticket.ticketId, { state: 'failed', lastError: err.message, now: new Date() });
      if (attempt === TELL_USER_AFTER_ATTEMPTS || !err.retryable) {
        const id = `${ticket.ticketId}.crm-unreachable`;
        await deps.lanes.push([{ lane: ticket.conversationKey, item: { id, kind: 'crm_unreachable', ticketId: ticket.ticketId }, dedupeKey: id }]);
      }
      if (!err.retryable) {
        log.error({ err, ticketId: ticket.ticketId }, 'the CRM refused the agent request; not retrying');
        return;
      }
      log.warn({ err, ticketId: ticket.ticketId, attempt }, 'agent request failed; retrying');
      return { retryAfterMs: backoff(attempt, err) };
    }
  }

  async function relay(call: () => Promise<void>, item: CrmItem, attempt: number, log: Logger): Promise<HandlerOutcome | void> {
    try {
      await call();
    } catch (err) {
      if (!(err instanceof CrmCallError)) throw err;
      deps.metrics.crmFailures.inc({ endpoint: err.endpoint });
      if (!err.retryable) {
        log.error({ err, ticketId: item.ticketId, kind: item.kind }, 'the CRM refused the call; dropped');
        return;
      }
      const ticket = await deps.tickets.findById(item.ticketId);
      // A user message for a ticket that has closed meanwhile has nobody left to read it.
      if (item.kind === 'user_message' && ticket?.status === 'closed') return;
      log.warn({ err, ticketId: item.ticketId, kind: item.kind, attempt }, 'CRM call failed; retrying');
      return { retryAfterMs: backoff(attempt, err) };
    }
  }

  return async (item, ctx) => {
    switch (item.kind) {
      case 'agent_request':
        return agentRequest(item, ctx.attempt, ctx.logger);
      case 'user_message':
        return relay(() => deps.crm.userMessage(item.body), item, ctx.attempt, ctx.logger);
      case 'ticket_event':
        return relay(() => deps.crm.ticketEvent(item.body), item, ctx.attempt, ctx.logger);
    }
  };
}
