import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/http-app.js';
import { bearerAuth } from '../../../src/platform/http/auth.js';
import { createErrorHandler } from '../../../src/platform/http/error-handler.js';
import { createRouteGroup } from '../../../src/platform/http/route-group.js';
import type { AppEnv } from '../../../src/platform/http/types.js';
import { createMetrics } from '../../../src/platform/metrics/registry.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { signBody } from '../../../src/whatsapp/signature.js';
import { createTestDeps, testEnv, type TestDeps } from '../../helpers/deps.js';

type Operation = { security?: Record<string, string[]>[] };
type OpenApiDoc = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

/** A concrete URL for a templated OpenAPI path. */
const concrete = (path: string) => path.replace('{ticketId}', 'TK-2026-000001').replace(/\{(\w+)\}/g, '$1-1');

/** What a caller without the right credentials is told, by security scheme. */
const expectedRefusal: Record<string, number> = { crmBearer: 401, metaSignature: 401, apiKey: 401, apiKeyBearer: 401, adminKey: 401, adminKeyBearer: 401, metaVerifyToken: 403 };

/** The platform owner's key in this file's apps (without one the admin routes answer 404). */
const ADMIN_KEY = 'route-security-admin-key-0123456789abcdef';

describe('every protected operation refuses callers without credentials (derived from /openapi.json)', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  let doc: OpenApiDoc;
  const operations: { method: string; path: string; schemes: string[] }[] = [];

  beforeAll(async () => {
    deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
    app = createApp(deps);
    doc = (await (await app.request('/openapi.json')).json()) as OpenApiDoc;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) operations.push({ method: method.toUpperCase(), path, schemes: (op.security ?? []).flatMap((s) => Object.keys(s)) });
    }
  });
  afterAll(async () => deps.cleanup());

  it('documents the CRM, Meta and business API operations, each with a declared security scheme', () => {
    const paths = operations.map((o) => `${o.method} ${o.path}`);
    expect(paths).toEqual(expect.arrayContaining(['POST /webhook', 'GET /webhook', 'POST /api/crm/handover', 'POST /api/crm/send-message', 'GET /api/crm/handover-status/{ticketId}', 'POST /api/crm/meta-handover-webhook', 'GET /api/v1/me', 'POST /api/v1/admin/orgs', 'GET /api/v1/admin/orgs', 'POST /api/v1/admin/orgs/{org_id}/api-keys', 'GET /api/v1/admin/orgs/{org_id}/api-keys', 'DELETE /api/v1/admin/orgs/{org_id}/api-keys/{id}']));
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/admin/'))) expect(op.schemes, `${op.method} ${op.path}`).toEqual(['adminKey', 'adminKeyBearer']);
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/') && !o.path.startsWith('/api/v1/admin/'))) expect(op.schemes, `${op.method} ${op.path}`).toEqual(['apiKey', 'apiKeyBearer']);
    const open = operations.filter((o) => (o.path.startsWith('/api/') || o.path.startsWith('/webhook')) && o.schemes.length === 0);
    expect(open, 'operations under /api or /webhook without security').toEqual([]);
    for (const scheme of new Set(operations.flatMap((o) => o.schemes))) expect(doc.components.securitySchemes).toHaveProperty(scheme);
  });

  it('serves no route under /api or /webhook that the document leaves out', () => {
    const documented = new Set(operations.map((o) => `${o.method} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`));
    // The Swagger UI page and its assets are public on purpose: they only render /openapi.json.
    const publicPages = new Set(['GET /api/docs', 'GET /api/docs/assets/:file']);
    const served = app.routes.filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || r.path.startsWith('/webhook')) && !publicPages.has(`${r.method} ${r.path}`));
    expect(served.length).toBeGreaterThan(0);
    for (const route of served) expect(documented, `${route.method} ${route.path}`).toContain(`${route.method} ${route.path}`);
  });

  it('answers 401 (403 for the verify-token handshake) without credentials, with wrong ones and with another scheme', async () => {
    const protectedOps = operations.filter((o) => o.schemes.length > 0);
    expect(protectedOps.length).toBeGreaterThanOrEqual(13);
    for (const op of protectedOps) {
      const expected = Math.min(...op.schemes.map((s) => expectedRefusal[s] ?? 401));
      const url = concrete(op.path) + (op.method === 'GET' && op.path === '/webhook' ? '?hub.mode=subscribe&hub.challenge=123' : '');
      const body = op.method === 'GET' ? undefined : '{}';
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong-token', 'x-api-key': 'wrong-key', 'x-hub-signature-256': signBody('wrong-secret', body ?? '') },
        { authorization: `Basic ${testEnv.CRM_API_TOKEN}`, 'x-hub-signature-256': `sha1=${'0'.repeat(40)}` },
        // Another group's valid credential: the admin key where the CRM's token is valid, the CRM's token elsewhere (and the admin key on an organization's routes).
        op.path.startsWith('/api/crm/') ? { authorization: `Bearer ${ADMIN_KEY}`, 'x-api-key': ADMIN_KEY } : { authorization: `Bearer ${testEnv.CRM_API_TOKEN}`, ...(op.path.startsWith('/api/v1/admin/') ? {} : { 'x-api-key': ADMIN_KEY }) },
      ];
      for (const headers of attempts) {
        const target = op.method === 'GET' && op.path === '/webhook' && headers.authorization ? `${url}&hub.verify_token=wrong` : url;
        const res = await app.request(target, { method: op.method, headers: { 'content-type': 'application/json', ...headers }, ...(body ? { body } : {}) });
        expect(res.status, `${op.method} ${op.path} with ${JSON.stringify(headers)}`).toBe(expected);
        expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^(UNAUTHORIZED|INVALID_SIGNATURE|FORBIDDEN)$/);
      }
    }
  });

  it('lets the right credentials through to the handler (the check is the group, not a blanket refusal)', async () => {
    const crm = await app.request('/api/crm/handover-status/TK-1999-000001', { headers: { authorization: `Bearer ${testEnv.CRM_API_TOKEN}` } });
    expect(crm.status).toBe(404);
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const meta = await app.request('/webhook', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
    expect(meta.status).not.toBe(401);
    const handshake = await app.request(`/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${testEnv.WEBHOOK_VERIFY_TOKEN}`);
    expect(await handshake.text()).toBe('42');
    const orgs = await app.request('/api/v1/admin/orgs', { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(orgs.status).toBe(200);
    const issued = await app.request('/api/v1/admin/orgs/default/api-keys', { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'probe', scopes: ['read'] }) });
    const { key } = (await issued.json()) as { key: string };
    expect((await app.request('/api/v1/me', { headers: { 'x-api-key': key } })).status).toBe(200);
  });
});

describe('a route group', () => {
  const build = () => {
    const app = new OpenAPIHono<AppEnv>();
    app.onError(createErrorHandler(createMetrics(), createLogger({ level: 'silent' })));
    const group = createRouteGroup(app, { name: 'crm', prefixes: ['/api/crm/'], security: () => [{ crmBearer: [] }], auth: bearerAuth('the-token') });
    return { app, group };
  };

  it('puts its authentication and security entry on a route that declares none (no route is public by omission)', async () => {
    const { app, group } = build();
    group.openapi(createRoute({ method: 'get', path: '/api/crm/new-thing', responses: { 200: { description: 'ok', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } } } }), (c) => c.json({ ok: true }, 200));
    group.raw({ method: 'post', path: '/api/crm/raw-thing', responses: { 200: { description: 'ok' } } }, (c) => c.text('ok'));
    expect((await app.request('/api/crm/new-thing')).status).toBe(401);
    expect((await app.request('/api/crm/raw-thing', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/api/crm/new-thing', { headers: { authorization: 'Bearer the-token' } })).status).toBe(200);
    const doc = app.getOpenAPIDocument({ openapi: '3.0.3', info: { title: 't', version: '1' } });
    expect(doc.paths?.['/api/crm/new-thing']?.get?.security).toEqual([{ crmBearer: [] }]);
    expect(doc.paths?.['/api/crm/raw-thing']?.post?.security).toEqual([{ crmBearer: [] }]);
  });

  it('refuses at start-up a route outside its prefix', () => {
    const { group } = build();
    expect(() => group.raw({ method: 'get', path: '/api/v1/contacts', responses: { 200: { description: 'ok' } } }, (c) => c.text('x'))).toThrow(/does not belong in the crm group/);
  });

  it('refuses at start-up a v1 route under /api/v1/admin/ (the admin group\'s prefix)', () => {
    const app = new OpenAPIHono<AppEnv>();
    const v1 = createRouteGroup(app, { name: 'v1', prefixes: ['/api/v1/'], excludes: ['/api/v1/admin/'], security: () => [{ apiKey: [] }], auth: bearerAuth('x') });
    expect(() => v1.raw({ method: 'get', path: '/api/v1/admin/orgs', responses: { 200: { description: 'ok' } } }, (c) => c.text('x'))).toThrow(/does not belong in the v1 group/);
    expect(() => v1.raw({ method: 'get', path: '/api/v1/admin', responses: { 200: { description: 'ok' } } }, (c) => c.text('x'))).toThrow(/does not belong in the v1 group/);
    expect(() => v1.raw({ method: 'get', path: '/api/v1/administrators', responses: { 200: { description: 'ok' } } }, (c) => c.text('x'))).not.toThrow();
  });

  it('asks for an API key before saying that a path under /api/v1 does not exist', async () => {
    const deps = await createTestDeps();
    try {
      const app = createApp(deps);
      const res = await app.request('/api/v1/contacts', { headers: { 'x-api-key': 'anything' } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    } finally {
      await deps.cleanup();
    }
  });

  it('asks for credentials before saying that a path under /api/crm does not exist', async () => {
    const deps = await createTestDeps();
    try {
      const app = createApp(deps);
      expect((await app.request('/api/crm/no-such-thing')).status).toBe(401);
      const known = await app.request('/api/crm/no-such-thing', { headers: { authorization: `Bearer ${testEnv.CRM_API_TOKEN}` } });
      expect(known.status).toBe(404);
    } finally {
      await deps.cleanup();
    }
  });
});
