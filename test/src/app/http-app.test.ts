import { createRoute } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

describe('HTTP basics (the public listener)', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    deps = await createTestDeps({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'board-secret-0123456' });
    app = createApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('answers /healthz while the process is alive', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports ready when Redis and MongoDB answer, with the status only', async () => {
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
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

  it('serves no ops endpoint: /metrics and Bull Board are on the ops listener', async () => {
    expect((await app.request('/metrics')).status).toBe(404);
    const auth = { Authorization: `Basic ${Buffer.from('ops:board-secret-0123456').toString('base64')}` };
    expect((await app.request('/admin/queues', { headers: auth })).status).toBe(404);
    expect((await app.request('/admin/queues/api/queues', { headers: auth })).status).toBe(404);
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

describe('the OpenAPI document', () => {
  it('is built once, when the app is, not on every request', async () => {
    const deps = await createTestDeps();
    try {
      const app = createApp(deps);
      // A route documented after the app was built is not in the document: nothing rebuilds it per request.
      app.openapi(createRoute({ method: 'get', path: '/late', responses: { 200: { description: 'late' } } }), (c) => c.body(null, 200));
      const first = await app.request('/openapi.json');
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = await first.text();
      expect(JSON.parse(doc)).toHaveProperty(['paths', '/webhook']);
      expect(JSON.parse(doc)).not.toHaveProperty(['paths', '/late']);
      expect(await (await app.request('/openapi.json')).text()).toBe(doc);
    } finally {
      await deps.cleanup();
    }
  });
});

describe('public readiness when Redis is down', () => {
  it('answers 503 without naming or describing the failure (the ops listener names it)', async () => {
    const deps = await createTestDeps();
    try {
      deps.redis.disconnect();
      const res = await createApp(deps).request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable' });
    } finally {
      await deps.cleanup();
    }
  });
});
