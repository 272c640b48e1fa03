import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LINKS, post, startHarness, until, type Harness } from './support.js';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const USER = '573001112233';
const TICKET = 'TK-2026-000101';

describe('playground API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    h.refusals.clear();
    h.echo = false;
  });
  afterAll(() => h.close());

  it('GET /api/state: users, conversations, tickets, customers, links', async () => {
    const empty = (await (await h.app.request('/playground/api/state')).json()) as Record<string, unknown>;
    expect(empty).toMatchObject({ users: [], conversations: {}, tickets: [], agentActivity: {}, links: LINKS });
    expect(empty.customers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ document: '1020304050', customerName: 'Laura Gómez', serviceSuspended: false }),
        expect.objectContaining({ document: '9080706050', customerName: 'Andrés Pérez', serviceSuspended: true }),
      ]),
    );

    const res = await post(h.app, `/api/phones/${USER}/messages`, { kind: 'text', text: 'hola', profileName: 'Camila Rojas' });
    expect(res.status).toBe(200);
    const { message } = (await res.json()) as { message: { wamid: string; direction: string; status: string } };
    expect(message).toMatchObject({ direction: 'in', status: 'received', type: 'text' });

    const state = (await (await h.app.request('/playground/api/state')).json()) as { users: unknown[]; conversations: Record<string, { wamid: string }[]> };
    expect(state.users).toContainEqual({ waId: USER, profileName: 'Camila Rojas' });
    expect(state.conversations[USER]?.map((m) => m.wamid)).toContain(message.wamid);
    // What Puente received is Meta's webhook with the user's text.
    const webhook = h.calls.filter((c) => c.path === '/webhook').at(-1);
    expect(JSON.stringify(webhook?.body)).toContain('"body":"hola"');
  });

  it('400 with details for bad input, before anything reaches Puente', async () => {
    const before = h.calls.length;
    const cases: [string, unknown, string][] = [
      [`/api/phones/12ab/messages`, { kind: 'text', text: 'hola' }, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, '{not json', 'MALFORMED_JSON'],
      [`/api/phones/${USER}/messages`, { kind: 'sticker' }, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, { kind: 'text', text: '   ' }, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, { kind: 'text', text: 'x'.repeat(4097) }, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, { kind: 'reply', title: 'Sí' }, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, {}, 'VALIDATION_ERROR'],
      [`/api/phones/${USER}/messages`, { kind: 'text', text: 'hola', profileName: 'x'.repeat(61) }, 'VALIDATION_ERROR'],
      [`/api/phones/123/seen`, undefined, 'VALIDATION_ERROR'],
      [`/api/tickets/TK-1/take`, {}, 'VALIDATION_ERROR'],
      [`/api/tickets/not-a-ticket/resolve`, undefined, 'VALIDATION_ERROR'],
    ];
    for (const [path, body, code] of cases) {
      const res = await post(h.app, path, body);
      expect(res.status, path + JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as ErrorBody;
      expect(json.error.code, path).toBe(code);
      expect(typeof json.error.message).toBe('string');
      if (code === 'VALIDATION_ERROR') expect(json.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]));
    }
    expect(h.calls.length).toBe(before);
  });

  it('400 for a tap on an option the business never showed (the simulator refuses it)', async () => {
    const res = await post(h.app, `/api/phones/${USER}/messages`, { kind: 'reply', id: 'v1:menu.nothing', title: 'Nada' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('INVALID_INPUT');
  });

  it('404 for a ticket the CRM simulator does not know; 400 for bad agent messages', async () => {
    const unknown = await post(h.app, '/api/tickets/TK-2026-999999/take', {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('TICKET_NOT_FOUND');
    expect((await h.app.request('/playground/api/tickets/TK-2026-999999/log')).status).toBe(404);

    await h.openTicket('TK-2026-000100', USER);
    for (const body of [
      { type: 'text', text: '' },
      { type: 'image', link: 'http://insecure.example/a.png' },
      { type: 'document', link: 'https://example.com/a.pdf', filename: 'x'.repeat(241) },
      { type: 'video', link: 'https://example.com/a.mp4' },
    ]) {
      const res = await post(h.app, '/api/tickets/TK-2026-000100/messages', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const longName = await post(h.app, '/api/tickets/TK-2026-000100/take', { agentName: 'x'.repeat(81) });
    expect(longName.status).toBe(400);
  });

  it('takes, writes, resolves and reads the log through Puente, recording what the agent did', async () => {
    await h.openTicket(TICKET, USER);
    const take = await post(h.app, `/api/tickets/${TICKET}/take`, { agentName: 'Mónica Ríos' });
    expect(take.status).toBe(200);
    expect(await take.json()).toMatchObject({ ok: true, ticket: { ticketId: TICKET, status: 'active', agent: { name: 'Mónica Ríos' } } });
    const handover = h.calls.filter((c) => c.path === '/api/crm/handover').at(-1);
    expect(handover?.auth).toBe('Bearer test-crm-token');
    expect(handover?.body).toMatchObject({ ticketId: TICKET, userPhone: USER, handoverType: 'bot_to_human', agentName: 'Mónica Ríos', agentId: 'agent-monica-rios' });

    expect((await post(h.app, `/api/tickets/${TICKET}/messages`, { type: 'text', text: 'Hola, soy Mónica 👋' })).status).toBe(200);
    const doc = await post(h.app, `/api/tickets/${TICKET}/messages`, { type: 'document', link: 'https://example.com/contrato.pdf', caption: '', filename: 'contrato.pdf' });
    expect(doc.status).toBe(200);
    const sends = h.calls.filter((c) => c.path === '/api/crm/send-message').map((c) => c.body);
    expect(sends.at(-2)).toMatchObject({ ticketId: TICKET, messageType: 'text', message: 'Hola, soy Mónica 👋' });
    expect(sends.at(-1)).toMatchObject({ ticketId: TICKET, messageType: 'document', message: 'https://example.com/contrato.pdf', filename: 'contrato.pdf' });
    expect(sends.at(-1)).not.toHaveProperty('caption');

    const log = await h.app.request(`/playground/api/tickets/${TICKET}/log`);
    expect(log.status).toBe(200);
    expect(await log.json()).toMatchObject({ ticketId: TICKET, log: { total: 1, messages: [expect.objectContaining({ author: 'bot' })] } });

    const resolve = await post(h.app, `/api/tickets/${TICKET}/resolve`);
    expect(resolve.status).toBe(200);
    expect(await resolve.json()).toMatchObject({ ticket: { status: 'closed' } });

    const state = (await (await h.app.request('/playground/api/state')).json()) as { agentActivity: Record<string, { type: string }[]>; tickets: { ticketId: string; status: string }[] };
    expect(state.agentActivity[TICKET]?.map((a) => a.type)).toEqual(['take', 'text', 'document', 'resolve']);
    expect(state.tickets.find((t) => t.ticketId === TICKET)?.status).toBe('closed');
  });

  it("502 with Puente's message when Puente refuses the agent's call", async () => {
    await h.openTicket('TK-2026-000102', USER);
    h.refusals.set('/api/crm/handover', { status: 409, code: 'TICKET_CLOSED', message: 'Ticket TK-2026-000102 is closed' });
    const res = await post(h.app, '/api/tickets/TK-2026-000102/take', {});
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('PUENTE_REFUSED');
    expect(body.error.message).toContain('TICKET_CLOSED: Ticket TK-2026-000102 is closed');
    expect(body.error.details).toMatchObject({ status: 409 });

    h.refusals.set('/api/crm/tickets/TK-2026-000102/messages', { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'try again' });
    const log = await h.app.request('/playground/api/tickets/TK-2026-000102/log');
    expect(log.status).toBe(502);
  });

  it("502 with Puente's answer when the webhook is refused", async () => {
    h.refusals.set('/webhook', { status: 500, code: 'INTERNAL_ERROR', message: 'boom' });
    const res = await post(h.app, `/api/phones/${USER}/messages`, { kind: 'text', text: '¿hay alguien?' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toContain('500');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack
  });

  it('seen: delivered business messages become read', async () => {
    h.echo = true;
    const waId = '573004445566';
    expect((await post(h.app, `/api/phones/${waId}/messages`, { kind: 'text', text: 'hola' })).status).toBe(200);
    const reply = await until(() => h.whatsapp.conversation(waId).find((m) => m.direction === 'out' && m.status === 'delivered'));
    expect(reply.body).toMatchObject({ text: { body: 'eco: hola' } });
    const seen = await post(h.app, `/api/phones/${waId}/seen`);
    expect(seen.status).toBe(200);
    expect(h.whatsapp.conversation(waId).find((m) => m.wamid === reply.wamid)?.status).toBe('read');
    await until(() => h.calls.some((c) => c.path === '/webhook' && JSON.stringify(c.body).includes('"status":"read"')));
  });

  it('unknown API routes answer 404 in the error shape', async () => {
    const res = await h.app.request('/playground/api/nothing');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
  });
});
