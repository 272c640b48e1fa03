/**
 * The playground between real simulators and a fake Puente: a tiny Hono server on loopback that
 * records what the simulators call and answers the way Puente does (webhook 200; handover,
 * send-message and the ticket log in the CRM contract's shapes; errors in Puente's error shape when
 * a test asks for one). It can also play Puente's bot: answer a user's text through the WhatsApp
 * simulator's Graph API, and open a ticket at the CRM simulator (a signed agent request).
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createCrmSimulator, type CrmSimulator } from '../../../devstack/crm-sim/index.js';
import { createPlayground } from '../../../devstack/playground/index.js';
import { createWhatsAppSimulator, type WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';

export const SECRETS = {
  appSecret: 'test-meta-app-secret',
  accessToken: 'test-access-token',
  phoneNumberId: '100000000000000',
  crmApiToken: 'test-crm-token',
  botApiToken: 'test-bot-token',
  botSignatureSecret: 'test-bot-signature-secret',
};

export const LINKS = { docs: '/api/docs', metrics: '/metrics', bullBoard: '/admin/queues' };

export interface RecordedCall {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** An answer the fake Puente gives instead of its happy one, for the next calls to `path`. */
export interface Refusal {
  status: 400 | 404 | 409 | 500 | 503;
  code: string;
  message: string;
}

export interface Harness {
  /** The parent app, with the playground mounted at /playground (as the dev entry does). */
  app: Hono;
  whatsapp: WhatsAppSimulator;
  crm: CrmSimulator;
  puenteUrl: string;
  calls: RecordedCall[];
  /** Puente's answer per path (e.g. '/api/crm/handover'); unset → the happy answer. */
  refusals: Map<string, Refusal>;
  /** When on, the fake Puente answers every user text with "eco: <text>" through the Graph API. */
  echo: boolean;
  /** Opens a ticket at the CRM simulator as Puente would (signed agent request). */
  openTicket(ticketId: string, userPhone: string, extra?: Record<string, unknown>): Promise<void>;
  /** Serves the parent app on loopback (for SSE); resolves with its base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

function listenOnLoopback(fetch: (request: Request) => Response | Promise<Response>): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
}

export async function startHarness(options: { heartbeatMs?: number; signal?: AbortSignal } = {}): Promise<Harness> {
  const calls: RecordedCall[] = [];
  const refusals = new Map<string, Refusal>();
  const state = { echo: false };
  // Set once the simulator exists (it needs this server's URL first).
  const graph: { whatsapp?: WhatsAppSimulator } = {};

  const puente = new Hono<{ Variables: { body: unknown } }>();
  puente.use('*', async (c, next) => {
    const raw = c.req.method === 'GET' ? '' : await c.req.text();
    let body: unknown = raw;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      // kept as text
    }
    calls.push({ method: c.req.method, path: c.req.path, auth: c.req.header('authorization'), body });
    const refusal = refusals.get(c.req.path);
    if (refusal) return c.json({ error: { code: refusal.code, message: refusal.message } }, refusal.status);
    c.set('body', body);
    await next();
  });
  puente.post('/webhook', async (c) => {
    const body = c.get('body') as { entry?: { changes?: { value?: { messages?: { from: string; type: string; text?: { body: string } }[] } }[] }[] };
    const messages = body.entry?.[0]?.changes?.[0]?.value?.messages ?? [];
    const whatsapp = graph.whatsapp;
    if (state.echo && whatsapp) {
      for (const m of messages.filter((x) => x.type === 'text')) {
        const sent = await whatsapp.app.request(`/v25.0/${SECRETS.phoneNumberId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SECRETS.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messaging_product: 'whatsapp', to: m.from, type: 'text', text: { body: `eco: ${m.text?.body ?? ''}` } }),
        });
        if (!sent.ok) throw new Error(`the WhatsApp simulator refused the echo: ${sent.status} ${await sent.text()}`);
      }
    }
    return c.text('EVENT_RECEIVED');
  });
  puente.post('/api/crm/handover', (c) => {
    const body = c.get('body') as { ticketId: string };
    return c.json({ success: true, message: 'Handover processed successfully', ticketId: body.ticketId });
  });
  puente.post('/api/crm/send-message', (c) => {
    const body = c.get('body') as { ticketId: string };
    return c.json({ success: true, message: 'Message sent successfully', ticketId: body.ticketId, messageId: 'agm-0123456789abcdef01234567' });
  });
  puente.get('/api/crm/tickets/:id/messages', (c) =>
    c.json({
      ticketId: c.req.param('id'),
      page: Number(c.req.query('page') ?? 1),
      limit: Number(c.req.query('limit') ?? 50),
      total: 1,
      messages: Number(c.req.query('page') ?? 1) === 1 ? [{ direction: 'outbound', author: 'bot', type: 'text', text: 'Conectando con un asesor… ⏳', status: 'read', at: new Date().toISOString() }] : [],
    }),
  );

  const { server: puenteServer, url: puenteUrl } = await listenOnLoopback(puente.fetch);
  const whatsapp = createWhatsAppSimulator({
    webhookUrl: `${puenteUrl}/webhook`,
    appSecret: SECRETS.appSecret,
    accessToken: SECRETS.accessToken,
    phoneNumberId: SECRETS.phoneNumberId,
    statusDelaysMs: { sent: 20, delivered: 60 },
    webhookRetryDelaysMs: [10, 10],
  });
  graph.whatsapp = whatsapp;
  const crm = createCrmSimulator({ puenteUrl, crmApiToken: SECRETS.crmApiToken, botApiToken: SECRETS.botApiToken, botSignatureSecret: SECRETS.botSignatureSecret });
  const sims = { whatsapp, crm };

  const app = new Hono();
  app.route('/playground', createPlayground({ ...sims, links: LINKS, ...options }));
  let appServer: ServerType | undefined;

  return {
    app,
    ...sims,
    puenteUrl,
    calls,
    refusals,
    get echo() {
      return state.echo;
    },
    set echo(value: boolean) {
      state.echo = value;
    },
    async openTicket(ticketId, userPhone, extra = {}) {
      const raw = JSON.stringify({
        ticketId,
        userPhone,
        userContext: { phoneNumber: userPhone, customerId: '100234', customerName: 'Laura Gómez', isAuthenticated: true },
        priority: 'media',
        category: 'soporte_agente',
        serviceSuspended: false,
        requestTime: new Date().toISOString(),
        ...extra,
      });
      const signature = `sha256=${createHmac('sha256', SECRETS.botSignatureSecret).update(raw).digest('hex')}`;
      const res = await crm.app.request('/api/bot/agent-request', {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.botApiToken}`, 'x-bot-signature': signature },
      });
      if (!res.ok) throw new Error(`the CRM simulator refused the agent request: ${res.status} ${await res.text()}`);
    },
    async listen() {
      const { server, url } = await listenOnLoopback(app.fetch);
      appServer = server;
      return url;
    },
    async close() {
      if (appServer) await closeServer(appServer);
      await whatsapp.close();
      await crm.close();
      await closeServer(puenteServer);
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** POSTs JSON (or a raw string) to the mounted playground. */
export function post(app: Hono, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method: 'POST' };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  return Promise.resolve(app.request(`/playground${path}`, init));
}
