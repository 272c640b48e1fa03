import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeQueues } from '../../../crm-bridge/queue-names.js';
import { conversationQueues } from '../../../src/conversations/queue-names.js';
import { leadQueues } from '../../../src/leads/score-queue.js';
import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

describe('HTTP basics', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    deps = await createTestDeps({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'board-secret' });
    app = createApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('answers /healthz while the process is alive', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports ready when Redis and MongoDB answer', async () => {
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { redis: { status: 'ok' }, mongodb: { status: 'ok' } } });
  });

  it('renders unknown routes as a JSON 404 in the error shape', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nope' } });
  });

  it('returns a request id header, echoing the caller’s when given', async () => {
    const generated = await app.request('/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.request('/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
  });

  it('sets secure headers', async () => {
    const res = await app.request('/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('refuses bodies over 1 MiB with 413 in the error shape', async () => {
    const res = await app.request('/healthz', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('exposes Prometheus metrics including request durations by route and status', async () => {
    await app.request('/healthz');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/puente_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status="200"/);
  });

  it('keeps Bull Board behind basic auth', async () => {
    expect((await app.request('/admin/queues')).status).toBe(401);
    const wrong = await app.request('/admin/queues', { headers: { Authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const auth = { Authorization: `Basic ${Buffer.from('ops:board-secret').toString('base64')}` };
    const page = await app.request('/admin/queues', { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await app.request('/admin/queues/api/queues', { headers: auth });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([...Object.values(conversationQueues), ...Object.values(bridgeQueues), ...Object.values(leadQueues)].sort());
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const ui = await app.request('/api/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('serves the docs page offline: every script and stylesheet it loads comes from this server', async () => {
    const html = await (await app.request('/api/docs')).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(['/api/docs/assets/swagger-ui.css', '/api/docs/assets/swagger-ui-bundle.js']);
    for (const asset of assets) {
      const res = await app.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
    expect((await app.request('/api/docs/assets/package.json')).status).toBe(404);
  });
});

describe('HTTP basics without Bull Board credentials', () => {
  it('does not serve Bull Board at all (404)', async () => {
    const deps = await createTestDeps();
    try {
      const res = await createApp(deps).request('/admin/queues');
      expect(res.status).toBe(404);
    } finally {
      await deps.cleanup();
    }
  });
});

describe('readiness when Redis is down', () => {
  it('answers 503 and names Redis as the failing check', async () => {
    const deps = await createTestDeps();
    try {
      deps.redis.disconnect();
      const res = await createApp(deps).request('/readyz');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: { redis: { status: string }; mongodb: { status: string } } };
      expect(body.status).toBe('unavailable');
      expect(body.checks.redis.status).toBe('fail');
      expect(body.checks.mongodb.status).toBe('ok');
    } finally {
      await deps.cleanup();
    }
  });
});
