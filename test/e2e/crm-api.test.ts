import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { windowKey } from '../../src/conversations/service-window.js';
import { signBody } from '../../src/whatsapp/signature.js';
import { testEnv } from '../helpers/deps.js';
import { waitFor } from '../helpers/redis.js';
import { useRoad, type Road } from '../helpers/road.js';
import { GRAPH_URL, MESSAGES_PATH, recordGraph, textOf } from '../helpers/transcript.js';
import { assignAgent, crmCall, recordCrm, userWithOpenTicket } from './support/handover.js';

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; details?: { path: string }[] } }).error;

describe('the CRM-facing API: auth, validation, state and idempotency', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  // Authentication (401 without the token) is proven for every operation of the OpenAPI document by
  // test/src/app/route-security.test.ts.

  it('names every missing field of a handover call (400)', async () => {
    const res = await crmCall(road, 'POST', '/api/crm/handover', { handoverType: 'bot_to_human' });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details!.map((d) => d.path)).toEqual(expect.arrayContaining(['ticketId', 'userPhone', 'agentId']));
  });

  it('answers 400 for malformed JSON, 404 for an unknown ticket, 400 for a phone that is not the ticket’s', async () => {
    const malformed = await road.app.request('/api/crm/handover', { method: 'POST', body: '{"ticketId":', headers: { authorization: `Bearer ${testEnv.CRM_API_TOKEN}`, 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    const unknown = await crmCall(road, 'POST', '/api/crm/handover', { ticketId: 'TK-1999-000001', userPhone: '573001234567', agentId: 'a', agentName: 'A', handoverType: 'bot_to_human' });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ code: 'TICKET_NOT_FOUND' });

    recordCrm();
    const { ticket } = await userWithOpenTicket(road, '573710000001');
    const mismatch = await crmCall(road, 'POST', '/api/crm/handover', { ticketId: ticket.ticketId, userPhone: '573009999999', agentId: 'a', agentName: 'A', handoverType: 'bot_to_human' });
    expect(mismatch.status).toBe(400);
    expect(await errorOf(mismatch)).toMatchObject({ code: 'TICKET_PHONE_MISMATCH' });
  });

  it('answers send-message with 400 naming bad or missing fields, 404 for an unknown ticket, 400 for another phone', async () => {
    const missing = await crmCall(road, 'POST', '/api/crm/send-message', { messageType: 'text' });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).details!.map((d) => d.path)).toEqual(expect.arrayContaining(['ticketId', 'userPhone', 'agentId', 'message']));
    const base = { ticketId: 'TK-1999-000009', userPhone: '573001234567', agentId: 'agent_001', message: 'hola', messageType: 'text' };
    for (const [field, value] of [['messageType', 'video'], ['message', ''], ['message', 'x'.repeat(4097)], ['ticketId', 'TK-1'], ['timestamp', 'ayer']] as const) {
      const res = await crmCall(road, 'POST', '/api/crm/send-message', { ...base, [field]: value });
      expect(res.status, `${field}=${String(value).slice(0, 10)}`).toBe(400);
      expect((await errorOf(res)).details!.map((d) => d.path)).toContain(field);
    }
    const malformed = await road.app.request('/api/crm/send-message', { method: 'POST', body: '{"ticketId":', headers: { authorization: `Bearer ${testEnv.CRM_API_TOKEN}`, 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toMatchObject({ code: 'MALFORMED_JSON' });
    const unknown = await crmCall(road, 'POST', '/api/crm/send-message', base);
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ code: 'TICKET_NOT_FOUND' });

    recordCrm();
    const { ticket } = await userWithOpenTicket(road, '573710000022');
    const mismatch = await crmCall(road, 'POST', '/api/crm/send-message', { ...base, ticketId: ticket.ticketId, userPhone: '573009999999' });
    expect(mismatch.status).toBe(400);
    expect(await errorOf(mismatch)).toMatchObject({ code: 'TICKET_PHONE_MISMATCH' });
  });

  it('tells the CRM, once, when an agent\'s message can never be delivered (Meta refuses it for good): a message_failed ticket event', async () => {
    const crm = recordCrm();
    // Meta refuses this one message for good (131026: undeliverable); everything else goes through.
    nock(GRAPH_URL)
      .post(MESSAGES_PATH, (b: { text?: { body?: string } }) => b.text?.body === 'Mensaje que no llegará')
      .reply(400, { error: { message: 'Message undeliverable', type: 'OAuthException', code: 131026, error_data: { details: 'Message undeliverable' }, fbtrace_id: 'x' } });
    const { ticket } = await userWithOpenTicket(road, '573710000031', false, recordGraph());
    await assignAgent(road, ticket);
    const sent = await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: ticket.userPhone, agentId: 'agent_001', message: 'Mensaje que no llegará', messageType: 'text' });
    expect(sent.status).toBe(200);
    const { messageId } = (await sent.json()) as { messageId: string };
    await waitFor(() => crm.at('/api/bot/ticket-event').some((c) => c.body.event === 'message_failed'), 10_000, 'the failure reported');
    await new Promise((r) => setTimeout(r, 300));
    const reports = crm.at('/api/bot/ticket-event').filter((c) => c.body.event === 'message_failed');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.body).toMatchObject({ ticketId: ticket.ticketId, userPhone: ticket.userPhone, messageId, reason: expect.stringMatching(/^131026/) });
  });

  it('treats a repeated bot_to_human as harmless: one "se unió" message, same answer', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573710000002');
    const first = await assignAgent(road, ticket);
    const again = await assignAgent(road, ticket);
    expect(await again.json()).toEqual(await first.json());
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('se unió')));
    await new Promise((r) => setTimeout(r, 300));
    expect(graph.to(user.user).filter((m) => textOf(m).includes('se unió'))).toHaveLength(1);
  });

  it('refuses to send before an agent is assigned (409) and after the ticket closed (409); a repeated human_to_bot is harmless', async () => {
    recordCrm();
    const { user, ticket } = await userWithOpenTicket(road, '573710000003');
    const message = { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: 'hola', messageType: 'text' };
    const pending = await crmCall(road, 'POST', '/api/crm/send-message', message);
    expect(pending.status).toBe(409);
    expect(await errorOf(pending)).toMatchObject({ code: 'TICKET_NOT_ACTIVE' });

    const close = { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', handoverType: 'human_to_bot' };
    expect((await crmCall(road, 'POST', '/api/crm/handover', close)).status).toBe(200);
    expect((await crmCall(road, 'POST', '/api/crm/handover', close)).status).toBe(200);
    const closed = await crmCall(road, 'POST', '/api/crm/send-message', message);
    expect(closed.status).toBe(409);
    const reopen = await crmCall(road, 'POST', '/api/crm/handover', { ...close, agentName: 'María', handoverType: 'bot_to_human' });
    expect(reopen.status).toBe(409);
    expect(await errorOf(reopen)).toMatchObject({ code: 'TICKET_CLOSED' });
  });

  it('answers 409 CUSTOMER_SERVICE_WINDOW_CLOSED when the user wrote over 24 hours ago', async () => {
    recordCrm();
    const { user, ticket } = await userWithOpenTicket(road, '573710000004');
    await assignAgent(road, ticket);
    await road.deps.redis.set(windowKey(road.deps.keyPrefix, ticket.conversationKey), String(Math.floor(Date.now() / 1000) - 25 * 3600));
    const res = await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: 'hola', messageType: 'text' });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({ code: 'CUSTOMER_SERVICE_WINDOW_CLOSED' });
  });

  it('validates agent media: an https URL is sent as a link with caption and filename, anything else is 400', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573710000005');
    await assignAgent(road, ticket);
    const base = { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001' };
    const bad = await crmCall(road, 'POST', '/api/crm/send-message', { ...base, messageType: 'image', message: 'not a url' });
    expect(bad.status).toBe(400);
    const doc = await crmCall(road, 'POST', '/api/crm/send-message', { ...base, messageType: 'document', message: 'https://files.example.com/factura.pdf', caption: 'Tu factura', filename: 'factura.pdf' });
    expect(doc.status).toBe(200);
    await waitFor(() => graph.to(user.user).some((m) => m.type === 'document'));
    expect(graph.to(user.user).find((m) => m.type === 'document')).toMatchObject({ document: { link: 'https://files.example.com/factura.pdf', caption: 'Tu factura', filename: 'factura.pdf' } });
  });

  it('refuses with 400, naming the field, what WhatsApp could never be sent: a blank text or caption, a URL that does not parse', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573710000009');
    await assignAgent(road, ticket);
    const base = { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001' };
    const cases: [Record<string, string>, string][] = [
      [{ messageType: 'text', message: '   ' }, 'message'],
      [{ messageType: 'image', message: 'https://%zz' }, 'message'],
      [{ messageType: 'image', message: 'https://files.example.com/a.png', caption: ' \n ' }, 'caption'],
    ];
    for (const [fields, field] of cases) {
      const res = await crmCall(road, 'POST', '/api/crm/send-message', { ...base, ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect((await errorOf(res)).details!.map((d) => d.path)).toEqual([field]);
    }
    // Nothing was queued: a good message afterwards is the only one the user gets.
    expect((await crmCall(road, 'POST', '/api/crm/send-message', { ...base, messageType: 'text', message: 'ahora sí' })).status).toBe(200);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m) === 'ahora sí'));
    expect(graph.to(user.user).filter((m) => m.type === 'image' || (m.type === 'text' && textOf(m).trim() === ''))).toEqual([]);
  });

  it('makes a retried send-message with the same Idempotency-Key reach the user once', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573710000006');
    await assignAgent(road, ticket);
    const body = { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: 'una sola vez', messageType: 'text' };
    const first = (await (await crmCall(road, 'POST', '/api/crm/send-message', body, undefined, { 'idempotency-key': 'k-1' })).json()) as { messageId: string };
    const second = (await (await crmCall(road, 'POST', '/api/crm/send-message', body, undefined, { 'idempotency-key': 'k-1' })).json()) as { messageId: string };
    expect(second.messageId).toBe(first.messageId);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m) === 'una sola vez'));
    await new Promise((r) => setTimeout(r, 300));
    expect(graph.to(user.user).filter((m) => textOf(m) === 'una sola vez')).toHaveLength(1);
  });

  it('answers handover-status with the contract\'s body (docs/crm-contract.md), and 404 for an unknown ticket', async () => {
    recordCrm();
    const { ticket } = await userWithOpenTicket(road, '573710000007');
    const res = await crmCall(road, 'GET', `/api/crm/handover-status/${ticket.ticketId}`);
    expect(await res.json()).toEqual({
      ticketId: ticket.ticketId,
      status: 'pending',
      assignedAgent: null,
      startTime: ticket.startTime.toISOString(),
      lastActivity: expect.any(String),
      messageCount: 0,
    });
    expect((await crmCall(road, 'GET', '/api/crm/handover-status/TK-1999-000009')).status).toBe(404);
    expect((await crmCall(road, 'GET', '/api/crm/handover-status/not-a-ticket')).status).toBe(400);
  });

  it('pages a ticket\'s messages oldest first, and answers 400 for a bad page or id, 404 for an unknown ticket', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573710000021');
    await assignAgent(road, ticket);
    for (const text of ['uno', 'dos', 'tres']) {
      expect((await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: text, messageType: 'text' })).status).toBe(200);
    }
    await waitFor(() => graph.to(user.user).some((m) => textOf(m) === 'tres'));
    type Page = { ticketId: string; page: number; limit: number; total: number; messages: { author: string; text?: string; at: string }[] };
    const page = async (query: string) => (await (await crmCall(road, 'GET', `/api/crm/tickets/${ticket.ticketId}/messages${query}`)).json()) as Page;
    const all = await page('?limit=200');
    expect(all.messages.filter((m) => m.author === 'agent').map((m) => m.text)).toEqual(['uno', 'dos', 'tres']);
    expect(all.messages.map((m) => m.at)).toEqual([...all.messages.map((m) => m.at)].sort());
    const [first, second] = [await page('?limit=2&page=1'), await page('?limit=2&page=2')];
    expect(first).toMatchObject({ ticketId: ticket.ticketId, page: 1, limit: 2, total: all.total });
    expect([...first.messages, ...second.messages]).toEqual(all.messages.slice(0, 4));
    for (const bad of ['?limit=0', '?limit=201', '?page=0', '?page=x']) {
      const res = await crmCall(road, 'GET', `/api/crm/tickets/${ticket.ticketId}/messages${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    expect((await crmCall(road, 'GET', '/api/crm/tickets/TK-1999-000009/messages')).status).toBe(404);
    expect((await crmCall(road, 'GET', '/api/crm/tickets/not-a-ticket/messages')).status).toBe(400);
  });

  describe('POST /api/crm/meta-handover-webhook', () => {
    const payload = (event: string, ticketId: string) => ({
      object: 'whatsapp_business_account',
      entry: [{ id: 'WABA', changes: [{ field: 'messaging_handovers', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: testEnv.WHATSAPP_PHONE_NUMBER_ID }, event, thread_control: { app_id: 'CRM_APP_ID', metadata: JSON.stringify({ ticket_id: ticketId }) } } }] }],
    });
    const post = (body: unknown, signature?: string) => {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return road.app.request('/api/crm/meta-handover-webhook', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
    };

    it('refuses an unsigned or wrongly signed call (401) and malformed bodies (400)', async () => {
      expect((await post(payload('pass_thread_control', 'TK-2026-000001'), 'sha256=00')).status).toBe(401);
      expect((await post('{"object":')).status).toBe(400);
      expect((await post({ object: 'whatsapp_business_account', entry: [] })).status).toBe(400);
    });

    it('activates the ticket on pass_thread_control and returns it to the bot on release', async () => {
      recordCrm();
      const { user, graph, ticket } = await userWithOpenTicket(road, '573710000008');
      const passed = await post(payload('pass_thread_control', ticket.ticketId));
      expect(await passed.json()).toEqual({ status: 'ok', applied: 1 });
      expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ status: 'active', assignedAgent: { via: 'meta' } });
      await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('se unió')));
      const released = await post(payload('release_thread_control', ticket.ticketId));
      expect(await released.json()).toEqual({ status: 'ok', applied: 1 });
      expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ status: 'closed', closeReason: 'agent_resolved' });
    });
  });
});
