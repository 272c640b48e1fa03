import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentRequest } from '../../src/crm/crm-payloads.js';
import { formatTicketId, nextTicketId } from '../../crm-bridge/ticket-ids.js';
import { ONE_OPEN_TICKET_INDEX, ticketModel } from '../../crm-bridge/ticket-model.js';
import { createTicketStore, type OpenTicketInput, type TicketStore } from '../../crm-bridge/ticket-store.js';
import { mongoUriFor, uniqueDbName } from '../helpers/mongo.js';

let conn: Connection;
let store: TicketStore;
// Store tests live in 2025 so the 2026 counter belongs to the id tests alone.
const T0 = new Date('2025-06-06T15:25:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const maria = { id: 'agent_001', name: 'María González', via: 'crm' as const };
const pedro = { id: 'agent_002', name: 'Pedro Ruiz', via: 'crm' as const };

let users = 0;
/** Open-ticket input for a fresh user (each test works on its own conversation). */
function input(overrides: Partial<OpenTicketInput> = {}): OpenTicketInput {
  users += 1;
  const waId = `5730012${String(users).padStart(5, '0')}`;
  const customer = { customerId: '12345', customerName: 'Juan Pérez', serviceSuspended: true };
  const { userContext } = buildAgentRequest({
    ticketId: 'n/a', userPhone: waId, customer, priority: 'alta', category: 'reactivacion_servicio',
    sessionStart: at(-300), lastActivity: T0, requestTime: T0,
  });
  return {
    conversationKey: `PNID:${waId}`, phoneNumberId: 'PNID', userPhone: waId, customer, userContext,
    category: 'reactivacion_servicio', priority: 'alta', now: T0, ...overrides,
  };
}

beforeAll(async () => {
  conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('tickets'))).asPromise();
  store = createTicketStore(conn);
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

describe('ticket ids', () => {
  it('formats TK-YYYY-NNNNNN and keeps every digit past 999999', () => {
    expect(formatTicketId(2026, 1)).toBe('TK-2026-000001');
    expect(formatTicketId(2026, 1_234_567)).toBe('TK-2026-1234567');
  });

  it('hands out 50 concurrent ids that are unique and sequential from TK-2026-000001', async () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const ids = await Promise.all(Array.from({ length: 50 }, () => nextTicketId(conn, now)));
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(Array.from({ length: 50 }, (_, i) => formatTicketId(2026, i + 1)));
  });

  it('takes the year from UTC and counts each year separately', async () => {
    // 2027-12-31 23:30 in Bogotá is already 2028 in UTC.
    expect(await nextTicketId(conn, new Date('2027-12-31T23:30:00-05:00'))).toBe('TK-2028-000001');
  });
});

describe('ticket store: one open ticket per user', () => {
  it('declares the partial unique index on conversationKey for open tickets (listIndexes)', async () => {
    await ticketModel(conn).init();
    const indexes = await conn.collection('tickets').listIndexes().toArray();
    expect(indexes.find((i) => i.name === ONE_OPEN_TICKET_INDEX)).toMatchObject({
      key: { conversationKey: 1 }, unique: true, partialFilterExpression: { open: true },
    });
    expect(indexes.find((i) => i.name === 'ticketId_1')).toMatchObject({ unique: true });
    expect(indexes.map((i) => i.name)).toContain('status_1_lastActivity_1');
  });

  it('opens a pending ticket with the CRM notification pending and the userContext stored verbatim', async () => {
    const request = input();
    const { ticket, created } = await store.open(request);
    expect(created).toBe(true);
    expect(ticket).toMatchObject({
      ticketId: expect.stringMatching(/^TK-2025-\d{6}$/), status: 'pending', open: true, priority: 'alta',
      startTime: T0, lastActivity: T0, messageCount: 0, escalated: false, escalationLevel: 0,
      crmNotification: { state: 'pending', attempts: 0 }, leaveRequestedAt: null, userContext: request.userContext,
    });
    expect(await store.findOpen(request.conversationKey)).toMatchObject({ ticketId: ticket.ticketId });
  });

  it('10 concurrent open() for one person create exactly one ticket and all return its id', async () => {
    const request = input();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.open(request)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.ticket.ticketId)).size).toBe(1);
    expect(await ticketModel(conn).countDocuments({ conversationKey: request.conversationKey })).toBe(1);
  });

  it('the database itself refuses a second open ticket for the same conversation (E11000)', async () => {
    const request = input();
    const { ticket } = await store.open(request);
    const duplicate = { ...ticket, _id: undefined, ticketId: 'TK-2025-999999' };
    await expect(ticketModel(conn).create(duplicate)).rejects.toMatchObject({ code: 11000 });
  });

  it('after close() the same person can open a new ticket', async () => {
    const request = input();
    const first = await store.open(request);
    await store.close(first.ticket.ticketId, 'agent_resolved', at(60));
    const second = await store.open({ ...request, now: at(120) });
    expect(second.created).toBe(true);
    expect(second.ticket.ticketId).not.toBe(first.ticket.ticketId);
  });
});

describe('ticket store: state changes', () => {
  it('findClosedSince finds the ticket that was open when a message was sent and closed after it', async () => {
    const request = input();
    const key = request.conversationKey;
    const first = (await store.open(request)).ticket; // opened at T0
    await store.close(first.ticketId, 'agent_resolved', at(60));
    const second = (await store.open({ ...request, now: at(120) })).ticket;
    await store.close(second.ticketId, 'agent_resolved', at(180));
    expect((await store.findClosedSince(key, at(30)))?.ticketId).toBe(first.ticketId);
    expect((await store.findClosedSince(key, at(60)))?.ticketId).toBe(first.ticketId); // sent in the second it closed
    expect((await store.findClosedSince(key, at(150)))?.ticketId).toBe(second.ticketId);
    expect(await store.findClosedSince(key, at(90))).toBeNull(); // between the two tickets
    expect(await store.findClosedSince(key, at(200))).toBeNull(); // after both closed
    expect(await store.findClosedSince(key, at(-10))).toBeNull(); // before the first opened
    expect(await store.findClosedSince('PNID:nobody', at(30))).toBeNull();
  });

  it('activate moves pending → active with the agent, assignedAt and lastActivity', async () => {
    const { ticket } = await store.open(input());
    const result = await store.activate(ticket.ticketId, maria, at(30));
    expect(result).toMatchObject({ changed: true, ticket: { status: 'active', assignedAgent: maria, assignedAt: at(30), lastActivity: at(30), open: true } });
  });

  it('activating again with the same agent is an idempotent no-op', async () => {
    const { ticket } = await store.open(input());
    await store.activate(ticket.ticketId, maria, at(30));
    const again = await store.activate(ticket.ticketId, maria, at(90));
    expect(again).toMatchObject({ changed: false, ticket: { assignedAt: at(30), lastActivity: at(30) } });
  });

  it('activating an active ticket with another agent transfers it, keeping the first assignedAt', async () => {
    const { ticket } = await store.open(input());
    await store.activate(ticket.ticketId, maria, at(30));
    const transfer = await store.activate(ticket.ticketId, pedro, at(90));
    expect(transfer).toMatchObject({ changed: true, ticket: { status: 'active', assignedAgent: pedro, assignedAt: at(30), lastActivity: at(90) } });
  });

  it('activate reports closed and unknown tickets instead of reopening or creating them', async () => {
    const { ticket } = await store.open(input());
    await store.close(ticket.ticketId, 'customer_left', at(10));
    expect(await store.activate(ticket.ticketId, maria, at(30))).toEqual({ error: 'closed' });
    expect(await store.activate('TK-2025-424242', maria, at(30))).toEqual({ error: 'not_found' });
  });

  it('close unsets open, records time and reason; closing again keeps the original reason', async () => {
    const { ticket } = await store.open(input());
    const closed = await store.close(ticket.ticketId, 'idle_timeout', at(600));
    expect(closed).toMatchObject({ changed: true, ticket: { status: 'closed', closedAt: at(600), closeReason: 'idle_timeout' } });
    expect('ticket' in closed && 'open' in closed.ticket).toBe(false);
    const again = await store.close(ticket.ticketId, 'agent_resolved', at(700));
    expect(again).toMatchObject({ changed: false, ticket: { closedAt: at(600), closeReason: 'idle_timeout' } });
    expect(await store.close('TK-2025-424243', 'error', at(1))).toEqual({ error: 'not_found' });
  });

  it('escalation raises baja → media → alta, one level each, and stops at level 2', async () => {
    const { ticket } = await store.open(input({ priority: 'baja', category: 'soporte_agente' }));
    const first = await store.escalate(ticket.ticketId, at(120));
    expect(first).toMatchObject({ changed: true, ticket: { priority: 'media', escalated: true, escalationLevel: 1, escalatedAt: at(120) } });
    const second = await store.escalate(ticket.ticketId, at(240));
    expect(second).toMatchObject({ changed: true, ticket: { priority: 'alta', escalationLevel: 2 } });
    expect(await store.escalate(ticket.ticketId, at(360))).toMatchObject({ changed: false, ticket: { priority: 'alta', escalationLevel: 2 } });
  });

  it('escalating alta keeps alta but still counts the level; active tickets are not escalated', async () => {
    const { ticket } = await store.open(input({ priority: 'alta' }));
    expect(await store.escalate(ticket.ticketId, at(120))).toMatchObject({ changed: true, ticket: { priority: 'alta', escalationLevel: 1 } });
    await store.activate(ticket.ticketId, maria, at(130));
    expect(await store.escalate(ticket.ticketId, at(240))).toMatchObject({ changed: false, ticket: { escalationLevel: 1 } });
  });

  it('concurrent escalations of one ticket never skip or exceed a level', async () => {
    const { ticket } = await store.open(input({ priority: 'baja' }));
    const results = await Promise.all(Array.from({ length: 5 }, () => store.escalate(ticket.ticketId, at(60))));
    expect(results.filter((r) => 'changed' in r && r.changed)).toHaveLength(2);
    expect(await store.findById(ticket.ticketId)).toMatchObject({ priority: 'alta', escalationLevel: 2 });
  });

  it('recordActivity counts every message and sets firstAgentMessageAt only on the first agent message', async () => {
    const { ticket } = await store.open(input());
    await store.recordActivity(ticket.ticketId, { now: at(10), from: 'user' });
    const afterUser = await store.findById(ticket.ticketId);
    expect(afterUser).toMatchObject({ messageCount: 1, lastActivity: at(10) });
    expect(afterUser?.firstAgentMessageAt).toBeUndefined();
    await store.recordActivity(ticket.ticketId, { now: at(20), from: 'agent' });
    await store.recordActivity(ticket.ticketId, { now: at(30), from: 'bot' });
    await store.recordActivity(ticket.ticketId, { now: at(40), from: 'agent' });
    expect(await store.findById(ticket.ticketId)).toMatchObject({ messageCount: 4, lastActivity: at(40), firstAgentMessageAt: at(20) });
  });

  it('recordActivity is atomic under concurrency and ignores closed tickets', async () => {
    const { ticket } = await store.open(input());
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordActivity(ticket.ticketId, { now: at(i), from: i % 2 ? 'agent' : 'user' })));
    expect(await store.findById(ticket.ticketId)).toMatchObject({ messageCount: 20, lastActivity: at(19), firstAgentMessageAt: at(1) });
    await store.close(ticket.ticketId, 'agent_resolved', at(100));
    await store.recordActivity(ticket.ticketId, { now: at(200), from: 'user' });
    expect(await store.findById(ticket.ticketId)).toMatchObject({ messageCount: 20, lastActivity: at(19) });
  });

  it('recordCrmNotification counts attempts, keeps the last error and clears it once sent', async () => {
    const { ticket } = await store.open(input());
    await store.recordCrmNotification(ticket.ticketId, { state: 'failed', lastError: 'HTTP 503', now: at(1) });
    const sent = await store.recordCrmNotification(ticket.ticketId, {
      state: 'sent', agentAssigned: { id: 'agent_001', name: 'María González', estimatedResponseTime: '5-10 minutes' }, now: at(5),
    });
    expect(sent?.crmNotification).toEqual({
      state: 'sent', attempts: 2, sentAt: at(5), agentAssigned: { id: 'agent_001', name: 'María González', estimatedResponseTime: '5-10 minutes' },
    });
  });

  it('requestLeave / clearLeaveRequest set and clear leaveRequestedAt; close clears it too', async () => {
    const { ticket } = await store.open(input());
    expect(await store.requestLeave(ticket.ticketId, at(5))).toMatchObject({ leaveRequestedAt: at(5) });
    expect(await store.clearLeaveRequest(ticket.ticketId)).toMatchObject({ leaveRequestedAt: null });
    await store.requestLeave(ticket.ticketId, at(6));
    expect(await store.close(ticket.ticketId, 'customer_left', at(7))).toMatchObject({ ticket: { leaveRequestedAt: null } });
  });

  it('countOpenByStatus counts only open tickets, by status', async () => {
    const before = await store.countOpenByStatus();
    const a = await store.open(input());
    await store.open(input());
    const c = await store.open(input());
    await store.activate(a.ticket.ticketId, maria, at(1));
    await store.close(c.ticket.ticketId, 'error', at(2));
    expect(await store.countOpenByStatus()).toEqual({ pending: before.pending + 1, active: before.active + 1 });
  });
});
