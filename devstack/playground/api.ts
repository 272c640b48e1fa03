/**
 * The page's JSON API: the state for the first render (and after a reconnect), the simulated
 * user's actions (send, look at the chat) and the simulated agent's (take, write, resolve, read
 * the ticket's log from Puente).
 */
import { Hono } from 'hono';
import type { CrmSimulator, SimTicket } from '../crm-sim/index.js';
import { UnknownOptionError, type SimMessage, type UserInput, type WhatsAppSimulator } from '../whatsapp-sim/index.js';
import { ApiError, handle, readJson, validate } from './http.js';
import { agentMessageBody, phoneMessageBody, takeBody, ticketIdParam, waIdParam, type AgentMessageBody } from './schemas.js';
import type { AgentActivityLog } from './agent-activity.js';

export interface PlaygroundLinks {
  docs: string;
  metrics: string;
  bullBoard: string;
}

export interface ApiDeps {
  whatsapp: WhatsAppSimulator;
  crm: CrmSimulator;
  links: PlaygroundLinks;
  activity: AgentActivityLog;
}

function agentFor(name: string | undefined): { id: string; name: string } | undefined {
  if (!name) return undefined;
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return { id: `agent-${slug || 'asesor'}`, name };
}

export function apiRoutes(deps: ApiDeps): Hono {
  const { whatsapp, crm, links, activity } = deps;
  const app = new Hono();

  const knownTicket = (c: { req: { param(name: string): string | undefined } }): SimTicket => {
    const id = validate(ticketIdParam, c.req.param('id'), 'ticket id');
    const ticket = crm.tickets().find((t) => t.ticketId === id);
    if (!ticket) throw new ApiError(404, 'TICKET_NOT_FOUND', `The CRM simulator has no ticket ${id}`);
    return ticket;
  };

  app.get(
    '/api/state',
    handle(async (c) => {
      const users = whatsapp.users();
      const conversations: Record<string, SimMessage[]> = {};
      for (const user of users) conversations[user.waId] = whatsapp.conversation(user.waId);
      return c.json({ users, conversations, tickets: crm.tickets(), customers: crm.customers, agentActivity: activity.all(), links });
    }),
  );

  app.post(
    '/api/phones/:waId/messages',
    handle(async (c) => {
      const waId = validate(waIdParam, c.req.param('waId'), 'waId');
      const { profileName, ...input } = validate(phoneMessageBody, await readJson(c));
      const message = await whatsapp.userSends(waId, input as UserInput, profileName).catch((err: unknown) => {
        // The simulator refusing the input itself (a tap on an option nobody showed) is the page's mistake, not Puente's.
        if (err instanceof UnknownOptionError || err instanceof TypeError) throw new ApiError(400, 'INVALID_INPUT', err.message);
        throw err;
      });
      return c.json({ message });
    }),
  );

  app.post(
    '/api/phones/:waId/seen',
    handle(async (c) => {
      const waId = validate(waIdParam, c.req.param('waId'), 'waId');
      await whatsapp.markSeen(waId);
      return c.json({ ok: true });
    }),
  );

  app.post(
    '/api/tickets/:id/take',
    handle(async (c) => {
      const ticket = knownTicket(c);
      const { agentName } = validate(takeBody, await readJson(c));
      const agent = agentFor(agentName);
      await crm.take(ticket.ticketId, agent);
      activity.record(ticket.ticketId, { type: 'take', ...(agent ? { agentName: agent.name } : {}) });
      return c.json({ ok: true, ticket: crm.tickets().find((t) => t.ticketId === ticket.ticketId) ?? ticket });
    }),
  );

  app.post(
    '/api/tickets/:id/messages',
    handle(async (c) => {
      const ticket = knownTicket(c);
      const body: AgentMessageBody = validate(agentMessageBody, await readJson(c));
      await crm.send(ticket.ticketId, body);
      return c.json({ ok: true, activity: activity.record(ticket.ticketId, body) });
    }),
  );

  app.post(
    '/api/tickets/:id/resolve',
    handle(async (c) => {
      const ticket = knownTicket(c);
      await crm.resolve(ticket.ticketId);
      activity.record(ticket.ticketId, { type: 'resolve' });
      return c.json({ ok: true, ticket: crm.tickets().find((t) => t.ticketId === ticket.ticketId) ?? ticket });
    }),
  );

  app.get(
    '/api/tickets/:id/log',
    handle(async (c) => {
      const ticket = knownTicket(c);
      return c.json({ ticketId: ticket.ticketId, log: await crm.log(ticket.ticketId) });
    }),
  );

  app.all('/api/*', (c) => c.json({ error: { code: 'NOT_FOUND', message: `No playground route ${c.req.method} ${c.req.path}` } }, 404));

  return app;
}
