import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeQueues } from '../../../crm-bridge/queue-names.js';
import { createOpsApp } from '../../../src/app/ops-app.js';
import { conversationQueues } from '../../../src/conversations/queue-names.js';
import { leadQueues } from '../../../src/leads/score-queue.js';
import { createTestDeps, memoryLogger, type TestDeps } from '../../helpers/deps.js';

const BOARD_PASSWORD = 'board-secret-0123456';
const auth = { Authorization: `Basic ${Buffer.from(`ops:${BOARD_PASSWORD}`).toString('base64')}` };
const board = { BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: BOARD_PASSWORD };

describe('the ops listener', () => {
  let deps: TestDeps;
  let ops: ReturnType<typeof createOpsApp>;

  beforeAll(async () => {
    deps = await createTestDeps(board);
    ops = createOpsApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('answers /healthz and /readyz', async () => {
    expect(await (await ops.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await ops.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus metrics including request durations by route and status, and the open tickets', async () => {
    await ops.request('/healthz');
    const res = await ops.request('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/puente_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status="200"/);
    expect(text).toMatch(/^puente_tickets_open\{status="pending",service="puente"\} 0$/m);
  });

  it('keeps Bull Board behind basic auth', async () => {
    expect((await ops.request('/admin/queues')).status).toBe(401);
    const wrong = await ops.request('/admin/queues', { headers: { Authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const page = await ops.request('/admin/queues', { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await ops.request('/admin/queues/api/queues', { headers: auth });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    // Every queue the modules asked the registry for.
    expect(body.queues.map((q) => q.name).sort()).toEqual(deps.queues.all().map((q) => q.name).sort());
    expect(body.queues.map((q) => q.name)).toEqual(expect.arrayContaining([...Object.values(conversationQueues), ...Object.values(bridgeQueues), ...Object.values(leadQueues)]));
    // Read-only unless BULL_BOARD_READ_ONLY=false: the UI hides its actions...
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('refuses every change while Bull Board is read-only (the default)', async () => {
    const queue = conversationQueues[Object.keys(conversationQueues)[0] as keyof typeof conversationQueues];
    for (const [method, path] of [
      ['PUT', `/admin/queues/api/queues/${queue}/retry/failed`],
      ['PUT', `/admin/queues/api/queues/${queue}/clean/completed`],
      ['POST', `/admin/queues/api/queues/${queue}/add`],
      ['PUT', '/admin/queues/api/queues/pause'],
    ] as const) {
      const res = await ops.request(path, { method, headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, `${method} ${path}`).toBe(405);
    }
    expect(await deps.queues.get(queue).isPaused()).toBe(false);
  });

  it('renders unknown routes as a JSON 404', async () => {
    const res = await ops.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nope' } });
  });
});

describe('Bull Board with changes allowed (BULL_BOARD_READ_ONLY=false)', () => {
  let deps: TestDeps;
  let ops: ReturnType<typeof createOpsApp>;
  const queue = Object.values(bridgeQueues)[0]!;
  const retry = `http://127.0.0.1:9091/admin/queues/api/queues/${queue}/retry/failed`;

  beforeAll(async () => {
    deps = await createTestDeps({ ...board, BULL_BOARD_READ_ONLY: 'false' });
    ops = createOpsApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('accepts a change from its own page, or from no browser at all (curl)', async () => {
    const api = (await (await ops.request('/admin/queues/api/queues', { headers: auth })).json()) as { queues: { readOnlyMode: boolean }[] };
    expect(api.queues.some((q) => q.readOnlyMode)).toBe(false);
    expect((await ops.request(retry, { method: 'PUT', headers: { ...auth, 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:9091' } })).status).toBe(200);
    expect((await ops.request(retry, { method: 'PUT', headers: { ...auth, origin: 'http://127.0.0.1:9091' } })).status).toBe(200);
    expect((await ops.request(retry, { method: 'PUT', headers: auth })).status).toBe(200);
  });

  it('refuses a change requested from another site, even with the cached credentials (403)', async () => {
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site', origin: 'http://other.127.0.0.1.nip.io' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await ops.request(retry, { method: 'PUT', headers: { ...auth, ...headers } });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    // A simple cross-site form POST, the kind a page can send without CORS.
    const add = await ops.request(`http://127.0.0.1:9091/admin/queues/api/queues/${queue}/add`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'name=x',
    });
    expect(add.status).toBe(403);
    expect(await deps.queues.get(queue).count()).toBe(0);
    // Reading stays possible from anywhere the credentials are.
    expect((await ops.request('/admin/queues/api/queues', { headers: { ...auth, 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });
});

describe('the ops listener without Bull Board credentials', () => {
  it('does not serve Bull Board at all (404)', async () => {
    const deps = await createTestDeps();
    try {
      expect((await createOpsApp(deps).request('/admin/queues')).status).toBe(404);
    } finally {
      await deps.cleanup();
    }
  });
});

describe('ops readiness when a dependency is down', () => {
  it('names the failing dependency, logs why, and never answers with the error text', async () => {
    const { logger, lines } = memoryLogger('warn');
    const deps = await createTestDeps({}, logger);
    try {
      deps.redis.disconnect();
      const res = await createOpsApp(deps).request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', failed: ['redis'] });
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; dependency?: string; err?: { message?: string } }).find((r) => r.dependency === 'redis');
      expect(logged).toMatchObject({ msg: 'readiness check failed' });
      expect(logged?.err?.message).toBeTruthy();
    } finally {
      await deps.cleanup();
    }
  });

  it('names the worker processes while none of them runs, and warns only once they had run', async () => {
    const { logger, lines } = memoryLogger('warn');
    const deps = await createTestDeps({}, logger);
    const warnings = () => lines.map((l) => JSON.parse(l) as { msg: string; dependency?: string }).filter((r) => r.dependency === 'workers');
    try {
      let alive = 0;
      const ops = createOpsApp(deps, { workerProcesses: { expected: 2, alive: () => alive } });
      // Start-up: not ready, and no warning however often a probe asks.
      for (let i = 0; i < 3; i++) {
        const starting = await ops.request('/readyz');
        expect(starting.status).toBe(503);
        expect(await starting.json()).toEqual({ status: 'unavailable', failed: ['workers'] });
      }
      expect(warnings()).toEqual([]);
      alive = 1;
      const up = await ops.request('/readyz');
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ status: 'ready' });
      // Every one of them gone after they ran: a warning.
      alive = 0;
      const down = await ops.request('/readyz');
      expect(await down.json()).toEqual({ status: 'unavailable', failed: ['workers'] });
      expect(warnings()).toEqual([expect.objectContaining({ msg: 'readiness check failed: no worker process running' })]);
    } finally {
      await deps.cleanup();
    }
  });

  it('shares one round of pings between concurrent requests', async () => {
    const deps = await createTestDeps();
    try {
      let pings = 0;
      const ping = deps.redis.ping.bind(deps.redis);
      deps.redis.ping = ((...args: Parameters<typeof ping>) => {
        pings++;
        return ping(...args);
      }) as typeof deps.redis.ping;
      const ops = createOpsApp(deps);
      const answers = await Promise.all(Array.from({ length: 20 }, () => ops.request('/readyz')));
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
      expect(pings).toBe(1);
    } finally {
      await deps.cleanup();
    }
  });
});
