import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/platform/config/index.js';
import { createDeps, type Deps } from '../../src/app/deps.js';
import { createLogger, type Logger } from '../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from './mongo.js';
import { TEST_REDIS_URL, deleteKeys } from './redis.js';

export { TEST_REDIS_URL, deleteKeys } from './redis.js';


/** A logger that keeps its JSON lines in memory so tests can assert on what was logged. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/** Secrets and ids every test environment shares. */
export const testEnv = {
  META_WEBHOOK_SECRET: 'puente_test_app_secret',
  WEBHOOK_VERIFY_TOKEN: 'test-verify-token',
  CRM_API_TOKEN: 'test-crm-token',
  BOT_API_TOKEN: 'test-bot-token',
  BOT_SIGNATURE_SECRET: 'test-bot-signature-secret',
  WHATSAPP_ACCESS_TOKEN: 'test-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '118724605391736',
  WHATSAPP_API_URL: 'https://graph.test',
  CRM_BASE_URL: 'https://crm.test',
  LOG_LEVEL: 'silent',
  // Any free port: test processes run side by side, and 9091 may be taken.
  OPS_PORT: '0',
} as const;

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ ...testEnv, REDIS_URL: TEST_REDIS_URL, MONGODB_URI: mongoUriFor(uniqueDbName('t')), ...overrides });
}

export interface TestDeps extends Deps {
  /** Deletes this test's Redis keys and MongoDB database, then closes everything. */
  cleanup(): Promise<void>;
}

/** Real Redis and MongoDB, isolated by a unique key prefix and database per call. */
export async function createTestDeps(overrides: Record<string, string | undefined> = {}, logger?: Logger, prefix?: string): Promise<TestDeps> {
  const config = testConfig(overrides);
  const keyPrefix = prefix ?? `test-${randomUUID()}`;
  const deps = await createDeps(config, { keyPrefix, logger: logger ?? createLogger({ level: 'silent' }) });
  return Object.assign(deps, {
    async cleanup() {
      await deleteKeys(keyPrefix);
      await deps.mongo.connection.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  });
}
