/**
 * Puente's HTTP app in the bench's own process (a real node:http server, real API keys and rate
 * limiter) for the business-API benches: the store is elsewhere (`mongoUri`), Redis at REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDeps, type Deps } from '../../src/app/deps.js';
import { createApp } from '../../src/app/http-app.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { createLogger } from '../../src/platform/logging/logger.js';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopq';

export interface InProcessPuente {
  deps: Deps;
  /** e.g. `http://127.0.0.1:41234` */
  base: string;
  /** Closes the server, drops the bench database and closes every connection. */
  stop(): Promise<void>;
}

export async function startInProcessPuente(options: { mongoUri: string; name: string; env?: Record<string, string> }): Promise<InProcessPuente> {
  const config = loadConfig({
    PUENTE_ROLE: 'api',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONGODB_URI: options.mongoUri,
    API_ADMIN_KEY: BENCH_ADMIN_KEY,
    WHATSAPP_PHONE_NUMBER_ID: '118724605391736',
    WHATSAPP_API_URL: 'https://graph.invalid',
    CRM_BASE_URL: 'https://crm.invalid',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const deps = await createDeps(config, { keyPrefix: `bench-${options.name}-${randomUUID()}`, logger: createLogger({ level: 'silent' }) });
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  return {
    deps,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.mongo.connection.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  };
}
