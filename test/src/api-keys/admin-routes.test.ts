import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
type Json = Record<string, unknown>;

describe('the platform owner’s routes (/api/v1/admin, API_ADMIN_KEY)', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) => {
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Json) };
  };

  beforeAll(async () => {
    deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
    app = createApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('creates an organization and lists it beside default, in the list envelope', async () => {
    const created = await call('POST', '/api/v1/admin/orgs', { name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^org_/), name: 'Acme', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    const list = await call('GET', '/api/v1/admin/orgs');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, skip: 0, limit: 50 });
    expect((list.body?.data as Json[]).map((o) => o.id)).toEqual(['default', created.body?.id]);
    const page = await call('GET', '/api/v1/admin/orgs?skip=1&limit=1');
    expect(page.body).toMatchObject({ total: 2, skip: 1, limit: 1, data: [{ name: 'Acme' }] });
  });

  it('validates bodies and pages: 400 for a missing or malformed field, 422 for an unknown scope', async () => {
    expect((await call('POST', '/api/v1/admin/orgs', {})).status).toBe(400);
    expect((await call('GET', '/api/v1/admin/orgs?limit=501')).status).toBe(400);
    const org = (await call('POST', '/api/v1/admin/orgs', { name: 'Scopes' })).body as Json;
    const unknown = await call('POST', `/api/v1/admin/orgs/${org.id as string}/api-keys`, { name: 'k', scopes: ['read', 'delete'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ error: { code: 'INVALID_VALUE', details: [{ path: 'scopes.1' }] } });
    expect((await call('POST', `/api/v1/admin/orgs/${org.id as string}/api-keys`, { name: 'k', scopes: [] })).status).toBe(400);
  });

  it('creates a key shown once, stored only as its hash, listed without secrets, and revokes it', async () => {
    const org = (await call('POST', '/api/v1/admin/orgs', { name: 'Keys' })).body as Json;
    const base = `/api/v1/admin/orgs/${org.id as string}/api-keys`;
    const created = await call('POST', base, { name: 'integration', scopes: ['read', 'write', 'read'] });
    expect(created.status).toBe(201);
    const key = created.body?.key as string;
    expect(created.body).toEqual({ id: expect.stringMatching(/^key_/), name: 'integration', scopes: ['read', 'write'], key: expect.stringMatching(/^pk_[A-Za-z0-9_-]{43}$/), created_at: expect.any(String) });

    // The collection holds the hash and a short prefix, never the key.
    const stored = await deps.mongo.connection.collection('api_keys').find({ orgId: org.id }).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(JSON.stringify(stored)).not.toContain(key.slice(11));
    expect(stored[0]).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), prefix: key.slice(0, 11) });

    const listed = await call('GET', base);
    expect(listed.body).toEqual({
      data: [{ id: created.body?.id, name: 'integration', scopes: ['read', 'write'], prefix: key.slice(0, 11), created_at: created.body?.created_at, revoked_at: null, last_used_at: null }],
      total: 1,
      skip: 0,
      limit: 50,
    });
    expect(JSON.stringify(listed.body)).not.toContain(key);

    expect((await call('DELETE', `${base}/${created.body?.id as string}`)).status).toBe(204);
    const after = await call('GET', base);
    expect((after.body?.data as Json[])[0]?.revoked_at).toEqual(expect.any(String));
    // Revoking again is harmless; an unknown id is a 404.
    expect((await call('DELETE', `${base}/${created.body?.id as string}`)).status).toBe(204);
    expect((await call('DELETE', `${base}/key_nope`)).status).toBe(404);
  });

  it('answers 404 for an unknown organization, and for another organization’s key', async () => {
    expect((await call('POST', '/api/v1/admin/orgs/org_nope/api-keys', { name: 'k', scopes: ['read'] })).status).toBe(404);
    expect((await call('GET', '/api/v1/admin/orgs/org_nope/api-keys')).status).toBe(404);
    const a = (await call('POST', '/api/v1/admin/orgs', { name: 'A' })).body as Json;
    const b = (await call('POST', '/api/v1/admin/orgs', { name: 'B' })).body as Json;
    const keyOfA = (await call('POST', `/api/v1/admin/orgs/${a.id as string}/api-keys`, { name: 'k', scopes: ['read'] })).body as Json;
    const wrongOrg = await call('DELETE', `/api/v1/admin/orgs/${b.id as string}/api-keys/${keyOfA.id as string}`);
    expect(wrongOrg.status).toBe(404);
    expect(wrongOrg.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('refuses a wrong or missing admin key with 401, and takes it as a bearer token too', async () => {
    for (const headers of [{}, { 'x-api-key': 'wrong' }, { authorization: `Bearer ${ADMIN_KEY}x` }] as Record<string, string>[]) {
      const res = await call('GET', '/api/v1/admin/orgs', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    expect((await call('GET', '/api/v1/admin/orgs', undefined, { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
    // An organization's key, even an admin-scoped one, is not the platform owner's key.
    const orgKey = (await call('POST', '/api/v1/admin/orgs/default/api-keys', { name: 'org admin', scopes: ['admin'] })).body?.key as string;
    expect((await call('GET', '/api/v1/admin/orgs', undefined, { 'x-api-key': orgKey })).status).toBe(401);
    // An unknown admin path asks for the admin key first (not an org key), then says 404.
    expect((await call('GET', '/api/v1/admin/nothing', undefined, {})).status).toBe(401);
    expect((await call('GET', '/api/v1/admin/nothing')).status).toBe(404);
  });
});

describe('the admin routes without API_ADMIN_KEY', () => {
  it('answer 404 as if absent, whatever key is sent', async () => {
    const deps = await createTestDeps({ API_ADMIN_KEY: undefined });
    try {
      const app = createApp(deps);
      for (const headers of [{}, { 'x-api-key': 'anything-at-all-0123456789abcdefghij' }] as Record<string, string>[]) {
        const res = await app.request('/api/v1/admin/orgs', { headers });
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
      expect((await app.request('/api/v1/admin/orgs', { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
    } finally {
      await deps.cleanup();
    }
  });
});
