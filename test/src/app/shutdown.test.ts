import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startPuente } from '../../../src/app/start.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { testConfig, testEnv } from '../../helpers/deps.js';
import { TEST_REDIS_URL, deleteKeys, waitFor } from '../../helpers/redis.js';
import { dropDatabaseAt, mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));


describe('graceful shutdown', () => {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('finishes the running job, then exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/shutdown-entry.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...testEnv, LOG_LEVEL: 'info', PORT: '0', PUENTE_ROLE: 'all', REDIS_URL: TEST_REDIS_URL, MONGODB_URI: mongoUriFor(uniqueDbName('shutdown')), TEST_KEY_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await waitFor(async () => stdout.includes('READY '), 20_000);

    // An idle keep-alive connection (as a proxy keeps) is held for HTTP_KEEP_ALIVE_TIMEOUT_SECONDS,
    // yet does not hold up the shutdown below.
    const port = Number(/READY (\d+)/.exec(stdout)?.[1]);
    const agent = new http.Agent({ keepAlive: true });
    const health = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ port, path: '/healthz', agent }, resolve).on('error', reject));
    health.resume();
    await once(health, 'end');
    expect(health.headers['keep-alive']).toBe('timeout=65');

    const queue = new Queue('shutdown-probe', { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    const job = await queue.add('probe', {});
    await waitFor(async () => (await redis.get(`${prefix}:probe:started`)) === '1', 10_000);
    expect(await redis.get(`${prefix}:probe:finished`)).toBeNull();

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, stdout).toBe(0);
    expect(await redis.get(`${prefix}:probe:finished`)).toBe('1');
    expect(await (await queue.getJob(job.id!))?.getState()).toBe('completed');
    expect(stdout).toContain('shutdown complete');
    agent.destroy();
    await queue.close();
  }, 40_000);

  it('answers a request in flight on a keep-alive connection and stops without waiting out the keep-alive', async () => {
    // A request a load balancer sent on a kept-alive connection just before SIGTERM: Node's
    // server.close() would hold that connection for HTTP_KEEP_ALIVE_TIMEOUT_SECONDS (65 s) after
    // its answer, and the workers would only start draining after that.
    const slow = new Hono().get('/', async (c) => {
      await sleep(400);
      return c.text('answered');
    });
    const config = testConfig({ PORT: '0' });
    const running = await startPuente(config, { keyPrefix: `${prefix}-http`, logger: createLogger({ level: 'silent' }), hostname: '127.0.0.1', devMounts: [{ path: '/slow', app: slow }] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number | undefined; connection: string | undefined; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: running.port, path, agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
          })
          .on('error', reject);
      });
    try {
      expect((await get('/healthz')).connection).toBe('keep-alive');
      const inFlight = get('/slow');
      await sleep(100);
      const started = Date.now();
      await running.stop();
      const tookMs = Date.now() - started;
      expect(await inFlight).toEqual({ status: 200, connection: 'close', body: 'answered' });
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      agent.destroy();
      await running.stop();
      await dropDatabaseAt(config.MONGODB_URI).catch(() => undefined);
      await deleteKeys(`${prefix}-http`);
    }
  }, 30_000);
});
