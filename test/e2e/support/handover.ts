import nock from 'nock';
import type { Ticket } from '../../../crm-bridge/ticket-model.js';
import { testEnv } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';
import type { Road } from '../../helpers/road.js';
import { recordGraph, textOf, userOf } from '../../helpers/transcript.js';

export const CRM_URL = testEnv.CRM_BASE_URL;
export const PHONE_ID = testEnv.WHATSAPP_PHONE_NUMBER_ID;

export interface CrmCall {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A nock'd CRM answering every bot→CRM call with 200 (agent requests: `{ success, ticketId }`) and recording them. */
export function recordCrm() {
  const calls: CrmCall[] = [];
  const record = (path: string) =>
    function (this: { req: { headers: Record<string, string | string[] | undefined> } }, _uri: string, body: unknown) {
      calls.push({ path, body: body as Record<string, unknown>, headers: this.req.headers });
      return path === '/api/bot/agent-request' ? { success: true, ticketId: (body as { ticketId: string }).ticketId } : { success: true };
    };
  nock(CRM_URL).persist().post('/api/bot/agent-request').reply(200, record('/api/bot/agent-request'));
  nock(CRM_URL).persist().post('/api/bot/user-message').reply(200, record('/api/bot/user-message'));
  nock(CRM_URL).persist().post('/api/bot/ticket-event').reply(200, record('/api/bot/ticket-event'));
  return { calls, at: (path: string) => calls.filter((c) => c.path === path) };
}

/** The CRM looks the document up and finds this customer. */
export function crmKnowsCustomer(document: string, serviceSuspended: boolean, customerName = 'Juan Pérez') {
  nock(CRM_URL)
    .post('/api/bot/customer-lookup', (b: { document: string }) => b.document === document)
    .reply(200, { found: true, customer: { customerId: `C-${document}`, customerName, serviceSuspended } });
}

/** The CRM calling Puente: `POST/GET` with the CRM's bearer token unless another is given. */
export function crmCall(road: Road, method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = testEnv.CRM_API_TOKEN, headers: Record<string, string> = {}) {
  return road.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Walks a user from "hola" to an open ticket: menu → "Hablar con un asesor" → document → found.
 * Returns the user, the ticket and the Graph recorder.
 */
export async function userWithOpenTicket(road: Road, waId: string, serviceSuspended = false, graph = recordGraph()) {
  const user = userOf(road, graph, waId);
  await user.say('hola');
  await user.tap('v1:menu.agent', '3. Hablar con un asesor');
  const document = waId.slice(-8);
  crmKnowsCustomer(document, serviceSuspended);
  await user.say(document);
  await waitFor(() => graph.to(waId).some((m) => textOf(m).startsWith('Conectando con un asesor')), 10_000, '"Conectando con un asesor…"');
  const ticket = (await road.deps.bridge.tickets.findOpen(`${PHONE_ID}:${waId}`)) as Ticket;
  return { user, graph, ticket };
}

/** The CRM assigns an agent to the ticket. */
export async function assignAgent(road: Road, ticket: Ticket, agentName = 'María González') {
  const res = await crmCall(road, 'POST', '/api/crm/handover', {
    ticketId: ticket.ticketId,
    userPhone: ticket.userPhone,
    agentId: 'agent_001',
    agentName,
    handoverType: 'bot_to_human',
  });
  if (res.status !== 200) throw new Error(`handover answered ${res.status}: ${await res.text()}`);
  return res;
}
