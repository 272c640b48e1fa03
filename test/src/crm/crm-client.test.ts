import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrmCallError, createCrmClient, type CrmClientOptions } from '../../../src/crm/crm-client.js';
import { agentRequestBodySchema, buildAgentRequest, type AgentRequestBody } from '../../../src/crm/crm-payloads.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { PUENTE_VERSION } from '../../../src/platform/version.js';
import { signBody } from '../../../src/whatsapp/signature.js';

const CRM = 'https://crm.test';
const AGENT_URL = 'https://agents.crm.test/hooks/agent-request';
const TOKEN = 'bot-api-token-s3cr3t';
const SECRET = 'bot-signature-secret';

function client(overrides: Partial<CrmClientOptions> = {}) {
  return createCrmClient({
    baseUrl: `${CRM}/`,
    agentNotificationUrl: AGENT_URL,
    botApiToken: TOKEN,
    botSignatureSecret: SECRET,
    timeoutMs: 500,
    logger: createLogger({ level: 'silent' }),
    ...overrides,
  });
}

/** A full agent-request body (docs/crm-contract.md, "Agent request"), built the way the lead builds it. */
const agentRequest: AgentRequestBody = buildAgentRequest({
  ticketId: 'TK-2025-001234',
  userPhone: '573001234567',
  customer: { customerId: '12345', customerName: 'Juan Pérez', serviceSuspended: true },
  priority: 'alta',
  category: 'reactivacion_servicio',
  sessionStart: new Date('2025-06-06T15:20:00.000Z'),
  lastActivity: '2025-06-06T15:25:00.000Z',
  requestTime: new Date('2025-06-06T15:25:00.000Z'),
});

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Intercepts one POST and records the raw body and headers it carried. */
function capture(base: string, path: string, status = 200, reply: unknown = { success: true }): { seen?: Seen } {
  const box: { seen?: Seen } = {};
  nock(base)
    .post(path)
    .reply(function handler(_uri, body) {
      box.seen = { headers: this.req.headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
      return [status, reply as nock.Body];
    });
  return box;
}

/** The rejection of `promise`, asserted to be a CrmCallError. */
async function failure(promise: Promise<unknown>): Promise<CrmCallError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CrmCallError);
  return err as CrmCallError;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('buildAgentRequest', () => {
  it('produces the contract\'s agent-request body field for field', () => {
    expect(agentRequest).toEqual({
      ticketId: 'TK-2025-001234',
      userPhone: '573001234567',
      userContext: {
        phoneNumber: '573001234567',
        customerId: '12345',
        customerName: 'Juan Pérez',
        isAuthenticated: true,
        lastActivity: '2025-06-06T15:25:00.000Z',
        sessionInfo: { hasActiveSession: true, sessionStart: '2025-06-06T15:20:00.000Z' },
      },
      priority: 'alta',
      category: 'reactivacion_servicio',
      serviceSuspended: true,
      requestTime: '2025-06-06T15:25:00.000Z',
    });
    expect(agentRequestBodySchema.strict().safeParse(agentRequest).success).toBe(true);
  });
});

describe('CRM client: agent request', () => {
  it('POSTs the exact body to CRM_AGENT_NOTIFICATION_URL with bearer, signature over the raw body, user agent and JSON type', async () => {
    const box = capture('https://agents.crm.test', '/hooks/agent-request');
    await client().agentRequest(agentRequest);
    const seen = box.seen!;
    expect(JSON.parse(seen.body)).toEqual(agentRequest);
    expect(seen.body).toBe(JSON.stringify(agentRequest));
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.headers['x-bot-signature']).toBe(signBody(SECRET, seen.body));
    expect(seen.headers['user-agent']).toBe(`Puente/${PUENTE_VERSION}`);
    expect(seen.headers['content-type']).toMatch(/^application\/json/);
  });

  it('parses the agent the CRM assigned (numeric ids become strings; extra fields are fine)', async () => {
    capture('https://agents.crm.test', '/hooks/agent-request', 200, {
      success: true, ticketId: 'TK-2025-001234', queue: 'reactivaciones',
      agentAssigned: { id: 1, name: 'María González', estimatedResponseTime: '5-10 minutes' },
    });
    expect(await client().agentRequest(agentRequest)).toEqual({
      success: true, ticketId: 'TK-2025-001234', agentAssigned: { id: '1', name: 'María González', estimatedResponseTime: '5-10 minutes' },
    });
  });

  it('counts a 2xx with an empty or non-JSON body as accepted with no agent', async () => {
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(202);
    expect(await client().agentRequest(agentRequest)).toEqual({ success: true });
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(200, 'OK', { 'Content-Type': 'text/plain' });
    expect(await client().agentRequest(agentRequest)).toEqual({ success: true });
  });

  it('drops a malformed agentAssigned instead of failing an accepted request', async () => {
    capture('https://agents.crm.test', '/hooks/agent-request', 200, { success: true, agentAssigned: { id: 'a1' } });
    expect(await client().agentRequest(agentRequest)).toEqual({ success: true });
  });

  it('treats success=false in a 2xx as a retryable failure', async () => {
    capture('https://agents.crm.test', '/hooks/agent-request', 200, { success: false });
    expect(await failure(client().agentRequest(agentRequest))).toMatchObject({ endpoint: 'agent-request', retryable: true });
  });

  it.each([500, 502, 503, 408, 429])('HTTP %i is a retryable CrmCallError carrying the status', async (status) => {
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(status, { error: 'down' });
    expect(await failure(client().agentRequest(agentRequest))).toMatchObject({ endpoint: 'agent-request', status, retryable: true });
  });

  it('reads Retry-After seconds on 429', async () => {
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(429, '', { 'Retry-After': '7' });
    expect(await failure(client().agentRequest(agentRequest))).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it.each([400, 401, 403, 404, 422])('HTTP %i is a non-retryable CrmCallError', async (status) => {
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(status, { error: 'no' });
    expect(await failure(client().agentRequest(agentRequest))).toMatchObject({ endpoint: 'agent-request', status, retryable: false });
  });

  it('a CRM slower than timeoutMs is a retryable timeout without status', async () => {
    // A real local server that never answers (a delayed nock reply would fire after the abort).
    const sockets = new Set<Socket>();
    const server = http.createServer(() => undefined);
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const started = Date.now();
      const err = await failure(client({ agentNotificationUrl: `http://127.0.0.1:${port}/agent`, timeoutMs: 150 }).agentRequest(agentRequest));
      expect(err).toMatchObject({ endpoint: 'agent-request', retryable: true, status: undefined });
      expect(err.message).toMatch(/timeout after 150 ms/);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a network error is retryable and named by its code', async () => {
    nock('https://agents.crm.test').post('/hooks/agent-request').replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const err = await failure(client().agentRequest(agentRequest));
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(err.message).toBe('CRM agent-request failed: network error ECONNREFUSED');
  });

  it('error messages and error properties never contain the bearer token or the signature secret', async () => {
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(401, { error: `bad token ${TOKEN}` });
    nock('https://agents.crm.test').post('/hooks/agent-request').replyWithError(`socket hang up Bearer ${TOKEN}`);
    for (const err of [await failure(client().agentRequest(agentRequest)), await failure(client().agentRequest(agentRequest))]) {
      const dump = `${err.message} ${String(err.stack)} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)}`;
      expect(dump).not.toContain(TOKEN);
      expect(dump).not.toContain(SECRET);
    }
  });

  it('logs neither the token, the secret nor the body, even at debug level', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const logger = createLogger({ level: 'debug', destination });
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(200, { success: true });
    nock('https://agents.crm.test').post('/hooks/agent-request').reply(401);
    await client({ logger }).agentRequest(agentRequest);
    await failure(client({ logger }).agentRequest(agentRequest));
    const output = lines.join('');
    expect(output).toContain('TK-2025-001234');
    for (const secret of [TOKEN, SECRET, 'Juan Pérez', '573001234567']) expect(output).not.toContain(secret);
  });
});

describe('CRM client: user messages and ticket events', () => {
  it('POSTs user messages to ${CRM_BASE_URL}/api/bot/user-message, signed', async () => {
    const box = capture(CRM, '/api/bot/user-message');
    const body = {
      ticketId: 'TK-2026-000001', userPhone: '573001234567', messageId: 'wamid.HBgM', messageType: 'image',
      media: { id: 'media-1', mimeType: 'image/jpeg', caption: 'mi factura' }, timestamp: '2026-03-10T15:00:00.000Z',
    };
    await expect(client().userMessage(body)).resolves.toBeUndefined();
    expect(JSON.parse(box.seen!.body)).toEqual(body);
    expect(box.seen!.headers['x-bot-signature']).toBe(signBody(SECRET, box.seen!.body));
    expect(box.seen!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('POSTs ticket events to ${CRM_BASE_URL}/api/bot/ticket-event, signed', async () => {
    const box = capture(CRM, '/api/bot/ticket-event', 204, '');
    const body = { ticketId: 'TK-2026-000001', userPhone: '573001234567', event: 'idle_timeout' as const, reason: 'no activity for 30 min', timestamp: '2026-03-10T15:30:00.000Z' };
    await expect(client().ticketEvent(body)).resolves.toBeUndefined();
    expect(JSON.parse(box.seen!.body)).toEqual(body);
    expect(box.seen!.headers['x-bot-signature']).toBe(signBody(SECRET, box.seen!.body));
    expect(box.seen!.headers['user-agent']).toBe(`Puente/${PUENTE_VERSION}`);
  });

  it('labels failures with the endpoint that failed', async () => {
    nock(CRM).post('/api/bot/user-message').reply(503);
    nock(CRM).post('/api/bot/ticket-event').reply(400);
    const message = { ticketId: 'TK-1', userPhone: '57300', messageId: 'm', messageType: 'text', text: 'hola', timestamp: '2026-03-10T15:00:00.000Z' };
    expect(await failure(client().userMessage(message))).toMatchObject({ endpoint: 'user-message', status: 503, retryable: true });
    const event = { ticketId: 'TK-1', userPhone: '57300', event: 'customer_left' as const, timestamp: '2026-03-10T15:00:00.000Z' };
    expect(await failure(client().ticketEvent(event))).toMatchObject({ endpoint: 'ticket-event', status: 400, retryable: false });
  });
});
