/**
 * Shared pieces of the CRM simulator tests: Puente's side of each call, signed with node:crypto
 * the way the contract fixes it, and a fake Puente `/api/crm/*` on loopback that records the
 * agent's calls and answers what the test queues.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createCrmSimulator, type CrmSimulator } from '../../../devstack/crm-sim/index.js';

export const BOT_API_TOKEN = 'sim-bot-token';
export const BOT_SIGNATURE_SECRET = 'sim-bot-signature-secret';
export const CRM_API_TOKEN = 'sim-crm-token';

export function createCrm(puenteUrl = 'http://127.0.0.1:9'): CrmSimulator {
  return createCrmSimulator({ puenteUrl, crmApiToken: CRM_API_TOKEN, botApiToken: BOT_API_TOKEN, botSignatureSecret: BOT_SIGNATURE_SECRET });
}

/** A call as Puente makes it; `auth` overrides let a test break one part. */
export async function puenteCalls(
  crm: CrmSimulator,
  path: string,
  body: unknown,
  auth: { token?: string | null; signature?: string | null; secret?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = auth.signature === undefined ? `sha256=${createHmac('sha256', auth.secret ?? BOT_SIGNATURE_SECRET).update(raw).digest('hex')}` : auth.signature;
  const token = auth.token === undefined ? BOT_API_TOKEN : auth.token;
  const response = await crm.app.request(path, {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Puente/0.1.0',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(signature === null ? {} : { 'x-bot-signature': signature }),
    },
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export function agentRequest(ticketId: string, userPhone = '573001112233', suspended = false): Record<string, unknown> {
  return {
    ticketId,
    userPhone,
    userContext: {
      phoneNumber: userPhone,
      customerId: suspended ? '100871' : '100234',
      customerName: suspended ? 'Andrés Pérez' : 'Laura Gómez',
      isAuthenticated: true,
      lastActivity: '2026-06-06T15:25:00.000Z',
      sessionInfo: { hasActiveSession: true, sessionStart: '2026-06-06T15:20:00.000Z' },
    },
    priority: suspended ? 'alta' : 'media',
    category: suspended ? 'reactivacion_servicio' : 'soporte_agente',
    serviceSuspended: suspended,
    requestTime: '2026-06-06T15:25:00.000Z',
  };
}

export interface PuenteCall {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

/** A fake Puente: records every call; answers from `answers` (status + body) first, else a contract-shaped 200. */
export interface FakePuente {
  url: string;
  calls: PuenteCall[];
  answers: { status: number; body: unknown }[];
  /** The ticket log pages served by GET /api/crm/tickets/:id/messages. */
  log: unknown[];
  close(): Promise<void>;
}

export async function startFakePuente(): Promise<FakePuente> {
  const calls: PuenteCall[] = [];
  const answers: { status: number; body: unknown }[] = [];
  const log: unknown[] = [];
  const app = new Hono();
  app.all('/api/crm/*', async (c) => {
    const raw = c.req.method === 'GET' ? '' : await c.req.text();
    calls.push({ method: c.req.method, path: c.req.path + (c.req.url.includes('?') ? `?${c.req.url.split('?')[1]}` : ''), authorization: c.req.header('authorization'), idempotencyKey: c.req.header('idempotency-key'), body: raw ? (JSON.parse(raw) as unknown) : undefined });
    const queued = answers.shift();
    if (queued) return c.json(queued.body as object, queued.status as 200);
    if (c.req.method === 'GET') {
      const page = Number(c.req.query('page') ?? '1');
      const limit = Number(c.req.query('limit') ?? '50');
      return c.json({ ticketId: c.req.path.split('/')[4], page, limit, total: log.length, messages: log.slice((page - 1) * limit, page * limit) });
    }
    return c.json({ success: true, message: 'ok', ticketId: (JSON.parse(raw) as { ticketId: string }).ticketId });
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    answers,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
