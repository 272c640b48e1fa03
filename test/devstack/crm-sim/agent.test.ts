/**
 * The simulated agent's calls to Puente's /api/crm/*, against a fake Puente on loopback: the
 * contract's bodies with `Bearer CRM_API_TOKEN`, the ticket moving pending → active → closed only
 * when Puente accepted, Puente's refusals surfacing with their status and body, and the log read
 * across pages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PuenteRefusedError, type CrmSimulator } from '../../../devstack/crm-sim/index.js';
import { CRM_API_TOKEN, agentRequest, createCrm, puenteCalls, startFakePuente, type FakePuente } from './support.js';

let puente: FakePuente;
let crm: CrmSimulator;
const TICKET = 'TK-2026-000001';
const PHONE = '573001112233';

beforeEach(async () => {
  puente = await startFakePuente();
  crm = createCrm(puente.url);
  await puenteCalls(crm, '/api/bot/agent-request', agentRequest(TICKET, PHONE));
});
afterEach(async () => {
  await crm.close();
  await puente.close();
});

describe('take', () => {
  it('POSTs handover bot_to_human with the default agent Sofía and the bearer token, then marks the ticket active', async () => {
    await crm.take(TICKET);
    expect(puente.calls).toEqual([
      {
        method: 'POST', path: '/api/crm/handover', authorization: `Bearer ${CRM_API_TOKEN}`, idempotencyKey: undefined,
        body: { ticketId: TICKET, userPhone: PHONE, agentId: 'agent-1', agentName: 'Sofía', handoverType: 'bot_to_human' },
      },
    ]);
    expect(crm.tickets()[0]).toMatchObject({ status: 'active', agent: { id: 'agent-1', name: 'Sofía' } });
  });

  it("leaves the ticket pending and rejects with Puente's status and error body when Puente refuses", async () => {
    const refusal = { error: { code: 'TICKET_CLOSED', message: `Ticket ${TICKET} is closed` } };
    puente.answers.push({ status: 409, body: refusal });
    const error = await crm.take(TICKET, { id: 'agent-7', name: 'Mateo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PuenteRefusedError);
    expect((error as PuenteRefusedError).status).toBe(409);
    expect((error as PuenteRefusedError).body).toEqual(refusal);
    expect((error as Error).message).toMatch(/HTTP 409 \(TICKET_CLOSED: Ticket TK-2026-000001 is closed\)/);
    expect(crm.tickets()[0]).toMatchObject({ status: 'pending' });
    expect(crm.tickets()[0]?.agent).toBeUndefined();
  });

  it('refuses a ticket the CRM never received, without calling Puente', async () => {
    await expect(crm.take('TK-2026-000404')).rejects.toThrow(/no ticket TK-2026-000404/);
    expect(puente.calls).toHaveLength(0);
  });
});

describe('send', () => {
  it('POSTs a text as send-message from the assigned agent, with an Idempotency-Key per message', async () => {
    await crm.take(TICKET, { id: 'agent-7', name: 'Mateo' });
    await crm.send(TICKET, { type: 'text', text: 'Hola, soy Mateo 👋' });
    await crm.send(TICKET, { type: 'text', text: '¿En qué te ayudo?' });
    const sends = puente.calls.filter((c) => c.path === '/api/crm/send-message');
    expect(sends[0]?.body).toEqual({ ticketId: TICKET, userPhone: PHONE, agentId: 'agent-7', message: 'Hola, soy Mateo 👋', messageType: 'text', timestamp: expect.any(String) as unknown });
    expect(sends.map((s) => s.idempotencyKey)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(sends[0]?.idempotencyKey).not.toBe(sends[1]?.idempotencyKey);
  });

  it('sends an image or a document by link: message = the URL, caption, and filename for documents only', async () => {
    await crm.take(TICKET);
    await crm.send(TICKET, { type: 'image', link: 'https://example.com/modem.jpg', caption: 'Así', filename: 'ignored.jpg' });
    await crm.send(TICKET, { type: 'document', link: 'https://example.com/factura.pdf', filename: 'factura.pdf' });
    const [image, document] = puente.calls.filter((c) => c.path === '/api/crm/send-message').map((c) => c.body);
    expect(image).toEqual({ ticketId: TICKET, userPhone: PHONE, agentId: 'agent-1', message: 'https://example.com/modem.jpg', messageType: 'image', caption: 'Así', timestamp: expect.any(String) as unknown });
    expect(document).toMatchObject({ message: 'https://example.com/factura.pdf', messageType: 'document', filename: 'factura.pdf' });
  });

  it("rejects with Puente's 409 CUSTOMER_SERVICE_WINDOW_CLOSED", async () => {
    puente.answers.push({ status: 409, body: { error: { code: 'CUSTOMER_SERVICE_WINDOW_CLOSED', message: 'closed' } } });
    await expect(crm.send(TICKET, { type: 'text', text: 'hola' })).rejects.toMatchObject({ status: 409, body: { error: { code: 'CUSTOMER_SERVICE_WINDOW_CLOSED' } } });
  });
});

describe('resolve', () => {
  it('POSTs handover human_to_bot as the agent who took it, then marks the ticket closed', async () => {
    await crm.take(TICKET, { id: 'agent-7', name: 'Mateo' });
    await crm.resolve(TICKET);
    expect(puente.calls.at(-1)?.body).toEqual({ ticketId: TICKET, userPhone: PHONE, agentId: 'agent-7', agentName: 'Mateo', handoverType: 'human_to_bot' });
    expect(crm.tickets()[0]).toMatchObject({ status: 'closed' });
  });

  it('keeps the ticket open when Puente answers 503, with the status on the error', async () => {
    puente.answers.push({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'retry' } } });
    await expect(crm.resolve(TICKET)).rejects.toMatchObject({ status: 503 });
    expect(crm.tickets()[0]?.status).toBe('pending');
  });
});

describe('log', () => {
  it('reads every page of GET /api/crm/tickets/{id}/messages with the bearer token, oldest first', async () => {
    puente.log.push(...Array.from({ length: 450 }, (_, i) => ({ direction: 'inbound', text: `m${i}` })));
    const log = (await crm.log(TICKET)) as { ticketId: string; total: number; messages: { text: string }[] };
    expect(log.total).toBe(450);
    expect(log.messages.map((m) => m.text)).toEqual(Array.from({ length: 450 }, (_, i) => `m${i}`));
    expect(puente.calls.map((c) => [c.method, c.path, c.authorization])).toEqual([1, 2, 3].map((page) => ['GET', `/api/crm/tickets/${TICKET}/messages?page=${page}&limit=200`, `Bearer ${CRM_API_TOKEN}`]));
  });

  it("rejects with Puente's 404 for a ticket Puente does not know", async () => {
    puente.answers.push({ status: 404, body: { error: { code: 'TICKET_NOT_FOUND', message: 'nope' } } });
    await expect(crm.log('TK-2026-000404')).rejects.toMatchObject({ status: 404 });
  });
});

describe('listening', () => {
  it('serves the bot API over real HTTP on loopback when listening', async () => {
    const base = await crm.listen();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${base}/api/bot/customer-lookup`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
  });
});
