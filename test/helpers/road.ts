import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createApp } from '../../src/app/http-app.js';
import { createOpsApp } from '../../src/app/ops-app.js';
import { workerDefinitions } from '../../src/app/deps.js';
import { startWorkers, type RunningWorkers } from '../../queues/workers.js';
import type { Logger } from '../../src/platform/logging/logger.js';
import { signBody } from '../../src/whatsapp/signature.js';
import { createTestDeps, testEnv, type TestDeps } from './deps.js';

export interface Road {
  deps: TestDeps;
  app: ReturnType<typeof createApp>;
  /** The ops listener's app: /metrics, /readyz with the failed dependency, Bull Board. */
  ops: ReturnType<typeof createOpsApp>;
  workers: RunningWorkers | undefined;
  /** POSTs a body to /webhook signed with the test app secret (exact bytes). */
  postWebhook(body: string | object): Promise<Response>;
  stop(): Promise<void>;
}

/** The whole message road in this process: HTTP app plus (optionally) the real workers. */
export async function startRoad(overrides: Record<string, string | undefined> = {}, options: { workers?: boolean; logger?: Logger } = {}): Promise<Road> {
  const deps = await createTestDeps(overrides, options.logger);
  const app = createApp(deps);
  const ops = createOpsApp(deps);
  const workers = options.workers === false ? undefined : startWorkers(deps, workerDefinitions(deps));
  return {
    deps,
    app,
    ops,
    workers,
    async postWebhook(body) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return app.request('/webhook', {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) },
      });
    },
    async stop() {
      await workers?.close();
      await deps.cleanup();
    },
  };
}

/** Meta's webhook envelope around one `messages`-field value of the test business number. */
export function metaWebhook(value: Record<string, unknown>): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '241856093317402',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '573186004400', phone_number_id: testEnv.WHATSAPP_PHONE_NUMBER_ID }, ...value },
          },
        ],
      },
    ],
  };
}

/** A one-message text webhook for `waId`. */
export function textWebhook(waId: string, wamid: string, text: string, timestamp = Math.floor(Date.now() / 1000)): object {
  return metaWebhook({
    contacts: [{ profile: { name: 'Usuario Prueba' }, wa_id: waId }],
    messages: [{ from: waId, id: wamid, timestamp: String(timestamp), type: 'text', text: { body: text } }],
  });
}

/** A status webhook for one of our messages. */
export function statusWebhook(wamid: string, status: string, recipient: string, timestamp = Math.floor(Date.now() / 1000), errors?: object[]): object {
  return metaWebhook({ statuses: [{ id: wamid, status, timestamp: String(timestamp), recipient_id: recipient, ...(errors ? { errors } : {}) }] });
}

/**
 * One road per describe block, with third-party HTTP (Graph API, CRM) only through nock: loopback
 * stays open for Redis and MongoDB, and interceptors are cleared after each test.
 */
export function useRoad(overrides: Record<string, string | undefined> = {}, options: { logger?: Logger } = {}): () => Road {
  let road: Road | undefined;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    road = await startRoad(overrides, options);
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    await road?.stop();
    nock.enableNetConnect();
  });
  return () => {
    if (!road) throw new Error('road not started');
    return road;
  };
}
