/**
 * Shared pieces of the WhatsApp simulator tests: a stand-in for Puente's /webhook on loopback that
 * records every delivery byte for byte, and a Graph request helper over the simulator's own app.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createWhatsAppSimulator, type WhatsAppSimOptions, type WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';

export const APP_SECRET = 'sim-test-app-secret';
export const ACCESS_TOKEN = 'sim-test-access-token';
export const PHONE_NUMBER_ID = '118724605391736';
export const DISPLAY_NUMBER = '573186004400';
export const WABA_ID = '241856093317402';
export const USER = '573154286019';

export interface Delivery {
  raw: string;
  signature: string | undefined;
  json: { entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[]; object: string };
}

/** A fake Puente /webhook: answers the queued statuses first, then 200; unreachable once closed. */
export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Statuses to answer the next deliveries with, in order. */
  answers: number[];
  /** The `value` of every delivered change holding statuses, flattened to the status items. */
  statuses(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const answers: number[] = [];
  const app = new Hono();
  app.post('/webhook', async (c) => {
    const raw = await c.req.text();
    deliveries.push({ raw, signature: c.req.header('x-hub-signature-256'), json: JSON.parse(raw) as Delivery['json'] });
    const status = answers.shift() ?? 200;
    return c.json({ status: status === 200 ? 'ok' : 'refused' }, status as 200);
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    deliveries,
    answers,
    statuses: () =>
      deliveries.flatMap((d) => d.json.entry.flatMap((e) => e.changes.flatMap((ch) => (ch.value['statuses'] as Record<string, unknown>[] | undefined) ?? []))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

export function createSim(receiver: WebhookReceiver, overrides: Partial<WhatsAppSimOptions> = {}): WhatsAppSimulator {
  return createWhatsAppSimulator({
    webhookUrl: receiver.url,
    appSecret: APP_SECRET,
    accessToken: ACCESS_TOKEN,
    phoneNumberId: PHONE_NUMBER_ID,
    displayPhoneNumber: DISPLAY_NUMBER,
    wabaId: WABA_ID,
    statusDelaysMs: { sent: 5, delivered: 20 },
    webhookRetryDelaysMs: [10, 20],
    ...overrides,
  });
}

/** POSTs a send to the simulator's Graph surface as Puente's client does. */
export async function graphSend(
  sim: WhatsAppSimulator,
  body: unknown,
  options: { token?: string | null; phoneNumberId?: string; version?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> & { error?: GraphErrorJson; messages?: { id: string; message_status?: string }[] } }> {
  const token = options.token === undefined ? ACCESS_TOKEN : options.token;
  const response = await sim.app.request(`/${options.version ?? 'v25.0'}/${options.phoneNumberId ?? PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

export interface GraphErrorJson {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product: string; details: string };
  fbtrace_id: string;
}

/** A text send to `to`, with whatever else the test adds. */
export function textSend(to: string, body = 'Hola', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body }, ...extra };
}

export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
