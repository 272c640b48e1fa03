/**
 * The CRM stand-in and its simulated agent, for the playground and tests. Puente calls its
 * `/api/bot/*` endpoints (lookup against the test customers, agent requests that open tickets,
 * relayed user messages, ticket events); the agent calls Puente's `/api/crm/*` (take, send,
 * resolve, log). It speaks to Puente only over HTTP and imports none of Puente's code, so it
 * holds Puente to the contract in docs/crm-contract.md rather than to Puente's own reading of it.
 */
import { EventEmitter } from 'node:events';
import { Hono } from 'hono';
import { createPuenteClient, sendMessageBody } from './agent.js';
import { createBotApi } from './bot-api.js';
import { TEST_CUSTOMERS } from './customers.js';
import { TicketStore } from './ticket-store.js';
import type { CrmSimOptions, CrmSimulator, SimTicket } from './types.js';
import { createHttpListener } from '../http-listener.js';

export { TEST_CUSTOMERS, type TestCustomer } from './customers.js';
export type { AgentMessage, CrmSimOptions, CrmSimulator, SimTicket, TicketStatus } from './types.js';
export { PuenteRefusedError } from './agent.js';
export { botSignature } from './verify.js';

const DEFAULT_AGENT = { id: 'agent-1', name: 'Sofía' };
const LOG_PAGE_SIZE = 200;

export function createCrmSimulator(options: CrmSimOptions): CrmSimulator {
  const customers = options.customers ?? TEST_CUSTOMERS;
  const events = new EventEmitter();
  const now = () => new Date();
  const store = new TicketStore(now, (ticket) => events.emit('ticket', structuredClone(ticket)));
  const puente = createPuenteClient({ puenteUrl: options.puenteUrl, crmApiToken: options.crmApiToken });
  const botApi = createBotApi({
    botApiToken: options.botApiToken,
    botSignatureSecret: options.botSignatureSecret,
    customers,
    store,
    now,
    emit: (event, payload) => events.emit(event, payload),
    // An 'error' event nobody listens to would throw inside the request: report it only to listeners.
    rejected: (rejection) => {
      if (events.listenerCount('error') > 0) events.emit('error', { ...rejection, at: now().toISOString() });
    },
  });
  // A plain Hono outside, so the typed variables of the bot API stay its own business.
  const app = new Hono().route('/', botApi);
  const http = createHttpListener(app, 'CRM simulator');

  function ticketOrThrow(ticketId: string): SimTicket {
    const ticket = store.get(ticketId);
    if (!ticket) throw new Error(`The CRM has no ticket ${ticketId} (Puente never sent its agent request here)`);
    return ticket;
  }

  return {
    app,
    customers,
    events,
    tickets: () => store.list(),

    async take(ticketId, agent = DEFAULT_AGENT) {
      const ticket = ticketOrThrow(ticketId);
      await puente.handover({ ticketId, userPhone: ticket.userPhone, agentId: agent.id, agentName: agent.name, handoverType: 'bot_to_human' });
      store.assign(ticket, agent);
    },

    async send(ticketId, message) {
      const ticket = ticketOrThrow(ticketId);
      await puente.sendMessage(sendMessageBody(ticket, ticket.agent?.id ?? DEFAULT_AGENT.id, message, now()));
    },

    async resolve(ticketId) {
      const ticket = ticketOrThrow(ticketId);
      const agent = ticket.agent ?? DEFAULT_AGENT;
      await puente.handover({ ticketId, userPhone: ticket.userPhone, agentId: agent.id, agentName: agent.name, handoverType: 'human_to_bot' });
      store.close(ticket);
    },

    async log(ticketId) {
      const messages: unknown[] = [];
      let total = 0;
      for (let page = 1; ; page += 1) {
        const answer = await puente.ticketMessages(ticketId, page, LOG_PAGE_SIZE);
        const batch = Array.isArray(answer.messages) ? answer.messages : [];
        total = typeof answer.total === 'number' ? answer.total : messages.length + batch.length;
        messages.push(...batch);
        if (batch.length === 0 || messages.length >= total) break;
      }
      return { ticketId, total, messages };
    },

    listen: (port, host) => http.listen(port, host),

    close: () => http.close(),
  };
}
