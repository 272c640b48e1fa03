import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app/http-app.js';
import type { EventResource, EventType, PuenteEvent } from '../../../src/platform/events/types.js';
import { startWorkers, type RunningWorkers } from '../../../queues/workers.js';
import { createWebhooksModule, type WebhooksModule, type WebhooksOptions } from '../../../src/webhooks/index.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';

export { waitFor };

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export type Call = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;

export interface WebhookHarness {
  deps: TestDeps;
  app: ReturnType<typeof createApp>;
  webhooks: WebhooksModule;
  workers: RunningWorkers | undefined;
  /** An organization and a read+write key, through the admin routes. */
  org(name?: string): Promise<{ orgId: string; key: string; call: Call }>;
  stop(): Promise<void>;
}

/**
 * The HTTP app with a webhooks module built with `options` (in place of the default one), and
 * that module's workers running in this process unless `workers: false`. Private targets are
 * allowed (the receivers are local servers) unless `env` says otherwise.
 */
export async function webhookHarness(opts: { options?: WebhooksOptions; env?: Record<string, string>; workers?: boolean } = {}): Promise<WebhookHarness> {
  const deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', ...opts.env });
  const webhooks = createWebhooksModule(
    { config: deps.config, connection: deps.mongo.connection, redis: deps.redis, keyPrefix: deps.keyPrefix, queues: deps.queues, logger: deps.logger, metrics: deps.metrics },
    { verificationDelaysMs: [50, 100], retry: { baseMs: 20, maxDelayMs: 100 }, cacheMs: 200, ...opts.options },
  );
  deps.modules = deps.modules.map((m) => (m.name === 'webhooks' ? webhooks.module : m));
  const app = createApp(deps);
  const workers = opts.workers === false ? undefined : startWorkers(deps, webhooks.module.workers!({ laneHandler: deps.laneHandler, mailboxes: [] }));
  const admin = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    deps,
    app,
    webhooks,
    workers,
    async org(name = 'Acme') {
      const orgId = ((await (await admin('/api/v1/admin/orgs', { name })).json()) as { id: string }).id;
      const { key } = (await (await admin(`/api/v1/admin/orgs/${orgId}/api-keys`, { name: 'rw', scopes: ['read', 'write'] })).json()) as { key: string };
      const call: Call = async (path, init = {}) => {
        const { json, headers, ...rest } = init;
        const h = new Headers(headers);
        h.set('x-api-key', key);
        if (json !== undefined) h.set('content-type', 'application/json');
        return app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
      };
      return { orgId, key, call };
    },
    async stop() {
      await workers?.close();
      await deps.cleanup();
    },
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; event: string; timestamp: string; org_id: string; data: Record<string, unknown> };
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** The requests for one event type. */
  of(event: string): Received[];
  close(): Promise<void>;
}

/** What a receiver answers: a status and body, or nothing (hang). Verification challenges are echoed unless `answer` handles them. */
export type Answer = (req: Received, n: number) => { status: number; body?: string } | 'hang' | Promise<{ status: number; body?: string } | 'hang'>;

/** A real HTTP endpoint on 127.0.0.1 that records every request; it echoes verification challenges by default. */
export async function startReceiver(answer?: Answer): Promise<Receiver> {
  const requests: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: Received = { headers: req.headers, body, json: JSON.parse(body) as Received['json'], at: Date.now() };
      requests.push(received);
      const respond = (a: { status: number; body?: string } | 'hang') => {
        if (a === 'hang') return void hanging.add(res);
        res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? '');
      };
      const n = requests.filter((r) => r.json.event === received.json.event).length;
      if (!answer && received.json.event === 'webhook.verification') return respond({ status: 200, body: String(received.json.data.challenge) });
      void Promise.resolve(answer ? answer(received, n) : { status: 200, body: 'ok' }).then(respond);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    of: (event) => requests.filter((r) => r.json.event === event),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Creates a subscription and waits until its verification made it active; its id and secret. */
export async function subscribeActive(call: Call, url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
  const res = await call('/api/v1/webhooks', { method: 'POST', json: { url, events } });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  const { id, secret } = (await res.json()) as { id: string; secret: string };
  await waitFor(async () => ((await (await call(`/api/v1/webhooks/${id}`)).json()) as { status: string }).status === 'active', 10_000, `webhook ${id} active`);
  return { id, secret };
}

/** A Puente event for `publish`. */
let seq = 0;
export function event(orgId: string, type: EventType, resource: EventResource, data: Record<string, unknown> = {}, occurredAt = new Date()): PuenteEvent {
  return { id: `evt_test${process.pid}_${++seq}_${Math.random().toString(36).slice(2, 8)}`, type, org_id: orgId, occurred_at: occurredAt, resource, data };
}
