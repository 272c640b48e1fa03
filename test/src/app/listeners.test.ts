import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startPuente, type Running } from '../../../src/app/start.js';
import { BULK_CONTACTS_PATH, BULK_MAX_BODY_BYTES } from '../../../src/contacts/bulk.js';
import { MIN_UPLOAD_BYTES_PER_SECOND, requestDeadlines, serverTimeouts } from '../../../src/platform/http/request-deadlines.js';
import { deleteKeys, memoryLogger, testConfig } from '../../helpers/deps.js';

const running: Running[] = [];
afterEach(async () => {
  while (running.length > 0) {
    const r = running.pop()!;
    const prefix = r.deps.keyPrefix;
    await r.deps.mongo.connection.dropDatabase().catch(() => undefined);
    await r.stop();
    await deleteKeys(prefix);
  }
});

async function start(overrides: Record<string, string>, logger = memoryLogger('warn').logger): Promise<Running> {
  const r = await startPuente(testConfig({ PORT: '0', OPS_PORT: '0', ...overrides }), { keyPrefix: `test-${randomUUID()}`, logger, hostname: '127.0.0.1' });
  running.push(r);
  return r;
}

const get = async (port: number | undefined, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
};

describe('the ops listener in every role', () => {
  it('a worker serves /healthz, /readyz and /metrics on it, and nothing else listens', async () => {
    const worker = await start({ PUENTE_ROLE: 'worker' });
    expect(worker.port).toBeUndefined();
    expect(worker.opsPort).toBeTypeOf('number');
    expect(await get(worker.opsPort, '/healthz')).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect(await get(worker.opsPort, '/readyz')).toEqual({ status: 200, text: '{"status":"ready"}' });
    const metrics = await get(worker.opsPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('puente_dead_letters_total');
  });

  it('an api process keeps /healthz and a status-only /readyz public, and /metrics on the ops listener only', async () => {
    const api = await start({ PUENTE_ROLE: 'api' });
    expect(api.port).not.toBe(api.opsPort);
    expect((await get(api.port, '/healthz')).status).toBe(200);
    expect(await get(api.port, '/readyz')).toEqual({ status: 200, text: '{"status":"ready"}' });
    expect((await get(api.port, '/metrics')).status).toBe(404);
    expect((await get(api.opsPort, '/metrics')).text).toContain('puente_http_request_duration_seconds');
  });

  it('binds the ops listener to OPS_HOST, loopback by default: another interface of this machine cannot reach it', async () => {
    expect(testConfig({}).OPS_HOST).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    const api = await start({ PUENTE_ROLE: 'api' });
    const connects = (host: string, port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ port, host }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    expect(await connects('127.0.0.1', api.opsPort!)).toBe(true);
    if (external) {
      expect(await connects(external, api.opsPort!)).toBe(false);
      const everywhere = await start({ PUENTE_ROLE: 'worker', OPS_HOST: '0.0.0.0' });
      expect(await connects(external, everywhere.opsPort!)).toBe(true);
    }
  });

  it('stops with an error naming the port when OPS_PORT is taken', async () => {
    const first = await start({ PUENTE_ROLE: 'worker' });
    await expect(startPuente(testConfig({ PUENTE_ROLE: 'worker', OPS_PORT: String(first.opsPort) }), { keyPrefix: `test-${randomUUID()}`, logger: memoryLogger('silent').logger })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('slow clients', () => {
  it('cuts off a request whose body trickles in past HTTP_REQUEST_TIMEOUT_SECONDS with a 408', async () => {
    const api = await start({ PUENTE_ROLE: 'api', HTTP_REQUEST_TIMEOUT_SECONDS: '1' });
    const socket = net.connect({ port: api.port!, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    const startedAt = Date.now();
    socket.write('POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    // A byte every 100 ms: 1,000 bytes would take 100 s.
    const drip = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      const closedAt = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 8_000))]);
      expect(closedAt, 'the connection was still open after 8 s').toBeGreaterThan(0);
      expect(closedAt - startedAt).toBeGreaterThanOrEqual(900);
      expect(closedAt - startedAt).toBeLessThan(4_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  it('lets a request that arrives in time through', async () => {
    const api = await start({ PUENTE_ROLE: 'api', HTTP_REQUEST_TIMEOUT_SECONDS: '1' });
    const res = await fetch(`http://127.0.0.1:${api.port}/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401); // unsigned: refused, but answered
  });

  it('gives a path with a larger body limit the time that body takes at 256 KiB/s (the bulk import: 128 s)', () => {
    const deadlines = requestDeadlines(30_000, { [BULK_CONTACTS_PATH]: BULK_MAX_BODY_BYTES, '/small': 2 * 1024 * 1024 });
    expect(deadlines.forPath('/webhook')).toBe(30_000);
    expect(deadlines.forPath('/small')).toBe(30_000);
    expect(deadlines.forPath(BULK_CONTACTS_PATH)).toBe(128_000);
    expect(BULK_MAX_BODY_BYTES / MIN_UPLOAD_BYTES_PER_SECOND).toBe(128);
    // Node's own timers: the longest deadline as a backstop, headers within 10 s.
    expect(serverTimeouts(deadlines)).toMatchObject({ requestTimeout: 128_000, headersTimeout: 10_000 });
  });
});

describe('start-up warnings', () => {
  it('warns when an outside service is plain http to a public host', async () => {
    const { logger, lines } = memoryLogger('warn');
    await start({ PUENTE_ROLE: 'api', CRM_BASE_URL: 'http://crm.acme-telecom.co' }, logger);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; alert?: string }).filter((r) => r.alert === 'insecure_config');
    expect(warnings.map((w) => w.msg)).toEqual([
      "CRM_BASE_URL, CRM_AGENT_NOTIFICATION_URL: plain http to the public host crm.acme-telecom.co; tokens and users' messages would travel unencrypted (use https)",
    ]);
  });
});
