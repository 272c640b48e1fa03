/**
 * The CRM endpoints Puente calls: only Puente's signed, bearer-authenticated calls get in (401
 * otherwise); the lookup knows the two test customers; agent requests, user messages and ticket
 * events build the ticket the agent pane shows, redeliveries included.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_CUSTOMERS, type SimTicket } from '../../../devstack/crm-sim/index.js';
import { BOT_SIGNATURE_SECRET, agentRequest, createCrm, puenteCalls } from './support.js';

const LOOKUP = '/api/bot/customer-lookup';

describe('the test customers', () => {
  it('are exactly two: Laura Gómez active on Hogar 300 Mbps (1020304050), Andrés Pérez suspended on Hogar 100 Mbps (9080706050)', () => {
    expect(TEST_CUSTOMERS.map((c) => [c.document, c.customerName, c.plan, c.serviceSuspended])).toEqual([
      ['1020304050', 'Laura Gómez', 'Hogar 300 Mbps', false],
      ['9080706050', 'Andrés Pérez', 'Hogar 100 Mbps', true],
    ]);
  });
});

describe('customer lookup', () => {
  it('finds the active customer: 200 found:true with the contract fields and no document', async () => {
    const { status, json } = await puenteCalls(createCrm(), LOOKUP, { document: '1020304050', phone: '573001112233' });
    expect(status).toBe(200);
    expect(json).toEqual({
      found: true,
      customer: { customerId: '100234', customerName: 'Laura Gómez', serviceSuspended: false, plan: 'Hogar 300 Mbps', serviceStatus: 'Activo', balance: 89_900, dueDate: '2026-07-15' },
    });
  });

  it('finds the suspended customer with serviceSuspended: true', async () => {
    const { status, json } = await puenteCalls(createCrm(), LOOKUP, { document: '9080706050', phone: '573001112233' });
    expect(status).toBe(200);
    expect(json['customer']).toMatchObject({ customerName: 'Andrés Pérez', serviceSuspended: true, serviceStatus: 'Suspendido' });
  });

  it("answers an unknown document 404 with the JSON body {found: false} (Puente's not-found, not an outage)", async () => {
    const crm = createCrm();
    const lookups: unknown[] = [];
    crm.events.on('lookup', (l: unknown) => lookups.push(l));
    const { status, json } = await puenteCalls(crm, LOOKUP, { document: '1111111111', phone: '573001112233' });
    expect([status, json]).toEqual([404, { found: false }]);
    expect(lookups).toEqual([{ document: '1111111111', phone: '573001112233', found: false, at: expect.any(String) as unknown }]);
  });

  it('answers 400 for a body without document', async () => {
    expect((await puenteCalls(createCrm(), LOOKUP, { phone: '573001112233' })).status).toBe(400);
  });
});

describe('authentication of Puente', () => {
  const body = { document: '1020304050', phone: '573001112233' };
  it.each([
    ['no Authorization header', { token: null }, 'UNAUTHORIZED'],
    ['a wrong bearer token', { token: 'someone-else' }, 'UNAUTHORIZED'],
    ['no X-Bot-Signature', { signature: null }, 'INVALID_SIGNATURE'],
    ['a signature made with another secret', { secret: 'another-secret' }, 'INVALID_SIGNATURE'],
    ['a signature without the sha256= prefix', { signature: 'deadbeef' }, 'INVALID_SIGNATURE'],
  ] as const)('answers 401 to a call with %s, and tells error listeners', async (_name, auth, code) => {
    const crm = createCrm();
    const errors: { status: number; code: string }[] = [];
    crm.events.on('error', (e: { status: number; code: string }) => errors.push(e));
    const { status, json } = await puenteCalls(crm, LOOKUP, body, auth);
    expect(status).toBe(401);
    expect(json['error']).toMatchObject({ code });
    expect(errors).toEqual([expect.objectContaining({ status: 401, code })]);
  });

  it('checks the signature over the raw bytes: the same JSON re-serialized with other spacing is refused', async () => {
    const crm = createCrm();
    const raw = JSON.stringify(body);
    const signature = `sha256=${createHmac('sha256', BOT_SIGNATURE_SECRET).update(raw).digest('hex')}`;
    expect((await puenteCalls(crm, LOOKUP, JSON.stringify(body, null, 1), { signature })).status).toBe(401);
    expect((await puenteCalls(crm, LOOKUP, raw, { signature })).status).toBe(200);
  });

  it('does not throw when nobody listens for errors', async () => {
    expect((await puenteCalls(createCrm(), LOOKUP, body, { token: 'x' })).status).toBe(401);
  });
});

describe('tickets from Puente', () => {
  it('records an agent request as a pending ticket with customer, category and priority, and answers success', async () => {
    const crm = createCrm();
    const changes: SimTicket[] = [];
    crm.events.on('ticket', (t: SimTicket) => changes.push(t));
    const request = agentRequest('TK-2026-000001', '573001112233', true);
    const { status, json } = await puenteCalls(crm, '/api/bot/agent-request', request);
    expect(status).toBe(200);
    expect(json).toMatchObject({ success: true, ticketId: 'TK-2026-000001' });
    expect(crm.tickets()).toEqual([
      {
        ticketId: 'TK-2026-000001', userPhone: '573001112233', customerName: 'Andrés Pérez', category: 'reactivacion_servicio', priority: 'alta',
        status: 'pending', createdAt: expect.any(String) as unknown, request, userMessages: [], events: [],
      },
    ]);
    expect(changes).toHaveLength(1);
  });

  it('keeps one ticket when Puente delivers the same agent request again, and lists tickets newest first', async () => {
    const crm = createCrm();
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000001'));
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000002', '573004445566'));
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000001'));
    expect(crm.tickets().map((t) => t.ticketId)).toEqual(['TK-2026-000002', 'TK-2026-000001']);
  });

  it('appends user messages in arrival order, once per messageId, and emits each new one', async () => {
    const crm = createCrm();
    const relayed: unknown[] = [];
    crm.events.on('user-message', (m: unknown) => relayed.push(m));
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000001'));
    const message = (id: string, text: string) => ({ ticketId: 'TK-2026-000001', userPhone: '573001112233', messageId: id, messageType: 'text', text, timestamp: '2026-06-06T15:31:02.000Z' });
    await puenteCalls(crm, '/api/bot/user-message', message('wamid.A', 'hola'));
    await puenteCalls(crm, '/api/bot/user-message', message('wamid.B', '¿siguen ahí?'));
    const again = await puenteCalls(crm, '/api/bot/user-message', message('wamid.A', 'hola'));
    expect(again).toEqual({ status: 200, json: { success: true, duplicate: true } });
    expect(crm.tickets()[0]?.userMessages.map((m) => (m as { text: string }).text)).toEqual(['hola', '¿siguen ahí?']);
    expect(relayed).toHaveLength(2);
  });

  it('answers 404 TICKET_NOT_FOUND to a user message or ticket event for a ticket it never saw', async () => {
    const crm = createCrm();
    const message = await puenteCalls(crm, '/api/bot/user-message', { ticketId: 'TK-2026-000009', userPhone: '573001112233', messageId: 'wamid.A', messageType: 'text', timestamp: '2026-06-06T15:31:02.000Z' });
    const event = await puenteCalls(crm, '/api/bot/ticket-event', { ticketId: 'TK-2026-000009', userPhone: '573001112233', event: 'idle_timeout', timestamp: '2026-06-06T15:31:02.000Z' });
    expect([message.status, event.status]).toEqual([404, 404]);
    expect(message.json['error']).toMatchObject({ code: 'TICKET_NOT_FOUND' });
  });

  it('records ticket events: a timeout warning escalates the priority, customer_left closes the ticket', async () => {
    const crm = createCrm();
    const events: unknown[] = [];
    crm.events.on('ticket-event', (e: unknown) => events.push(e));
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000001'));
    const event = (name: string) => ({ ticketId: 'TK-2026-000001', userPhone: '573001112233', event: name, timestamp: '2026-06-06T15:35:00.000Z' });
    await puenteCalls(crm, '/api/bot/ticket-event', event('assignment_timeout_warning'));
    expect(crm.tickets()[0]).toMatchObject({ status: 'pending', priority: 'alta' });
    await puenteCalls(crm, '/api/bot/ticket-event', event('customer_left'));
    expect(crm.tickets()[0]).toMatchObject({ status: 'closed' });
    expect(crm.tickets()[0]?.events).toEqual([event('assignment_timeout_warning'), event('customer_left')]);
    expect(events).toHaveLength(2);
  });

  it('hands out copies: changing a listed ticket does not change the store', async () => {
    const crm = createCrm();
    await puenteCalls(crm, '/api/bot/agent-request', agentRequest('TK-2026-000001'));
    const [ticket] = crm.tickets();
    ticket!.status = 'closed';
    ticket!.userMessages.push('x');
    expect(crm.tickets()[0]).toMatchObject({ status: 'pending', userMessages: [] });
  });
});
