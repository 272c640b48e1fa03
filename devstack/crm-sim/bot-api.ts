/**
 * The CRM endpoints Puente calls (docs/crm-contract.md): customer lookup, agent request, user
 * message, ticket event. Every call must be Puente's (verify.ts); answers follow the contract's
 * happy shapes, with 400 for a body the contract does not allow and 404 for an unknown ticket.
 */
import { Hono, type Context } from 'hono';
import type { TestCustomer } from './customers.js';
import type { TicketStore } from './ticket-store.js';
import { verifyPuente, type CrmEnv, type Rejection } from './verify.js';

type Json = Record<string, unknown>;

export interface BotApiDeps {
  botApiToken: string;
  botSignatureSecret: string;
  customers: TestCustomer[];
  store: TicketStore;
  now: () => Date;
  emit(event: 'lookup' | 'user-message' | 'ticket-event', payload: unknown): void;
  rejected(rejection: Rejection): void;
}

/** The body when it is an object whose `fields` are non-empty strings, else undefined. */
function bodyWith<K extends string>(c: Context<CrmEnv>, fields: readonly K[]): (Json & Record<K, string>) | undefined {
  const body = c.get('body');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const json = body as Json;
  return fields.every((f) => typeof json[f] === 'string' && json[f] !== '') ? (json as Json & Record<K, string>) : undefined;
}

export function createBotApi(deps: BotApiDeps): Hono<CrmEnv> {
  const app = new Hono<CrmEnv>();
  app.use('/api/bot/*', verifyPuente({ botApiToken: deps.botApiToken, botSignatureSecret: deps.botSignatureSecret, onReject: deps.rejected }));

  const invalid = (c: Context<CrmEnv>, fields: readonly string[]) => {
    const message = `The body must be a JSON object with ${fields.join(', ')} as non-empty strings`;
    deps.rejected({ endpoint: c.req.path, status: 400, code: 'VALIDATION_ERROR', message });
    return c.json({ success: false, error: { code: 'VALIDATION_ERROR', message } }, 400);
  };
  const unknownTicket = (c: Context<CrmEnv>, ticketId: string) => {
    const message = `Unknown ticket ${ticketId}`;
    deps.rejected({ endpoint: c.req.path, status: 404, code: 'TICKET_NOT_FOUND', message });
    return c.json({ success: false, error: { code: 'TICKET_NOT_FOUND', message } }, 404);
  };

  app.post('/api/bot/customer-lookup', (c) => {
    const fields = ['document', 'phone'] as const;
    const body = bodyWith(c, fields);
    if (!body) return invalid(c, fields);
    const customer = deps.customers.find((x) => x.document === body.document.trim());
    deps.emit('lookup', { document: body.document, phone: body.phone, found: customer !== undefined, at: deps.now().toISOString() });
    if (!customer) return c.json({ found: false }, 404);
    const { document: _document, ...shown } = customer;
    return c.json({ found: true, customer: shown });
  });

  app.post('/api/bot/agent-request', (c) => {
    const fields = ['ticketId', 'userPhone'] as const;
    const body = bodyWith(c, fields);
    if (!body) return invalid(c, fields);
    deps.store.open(body);
    // Accepted; the agent is assigned later, when someone takes the ticket (POST /api/crm/handover).
    return c.json({ success: true, ticketId: body.ticketId, message: 'Agent request received' });
  });

  app.post('/api/bot/user-message', (c) => {
    const fields = ['ticketId', 'userPhone', 'messageId', 'messageType'] as const;
    const body = bodyWith(c, fields);
    if (!body) return invalid(c, fields);
    const ticket = deps.store.get(body.ticketId);
    if (!ticket) return unknownTicket(c, body.ticketId);
    const added = deps.store.addUserMessage(ticket, body);
    if (added) deps.emit('user-message', body);
    return c.json({ success: true, duplicate: !added });
  });

  app.post('/api/bot/ticket-event', (c) => {
    const fields = ['ticketId', 'userPhone', 'event'] as const;
    const body = bodyWith(c, fields);
    if (!body) return invalid(c, fields);
    const ticket = deps.store.get(body.ticketId);
    if (!ticket) return unknownTicket(c, body.ticketId);
    deps.store.addEvent(ticket, body);
    deps.emit('ticket-event', body);
    return c.json({ success: true });
  });

  return app;
}
