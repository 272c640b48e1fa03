import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../../src/api-keys/index.js';
import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, testEnv, type TestDeps } from '../../helpers/deps.js';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

describe('organization keys on the business API (/api/v1)', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  let orgId: string;
  const issue = async (scopes: string[], org = orgId) => {
    const res = await app.request(`/api/v1/admin/orgs/${org}/api-keys`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: scopes.join('+'), scopes }) });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; key: string };
  };

  beforeAll(async () => {
    deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
    app = createApp(deps);
    const res = await app.request('/api/v1/admin/orgs', { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Acme' }) });
    orgId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => deps.cleanup());

  it('GET /api/v1/me names the key’s organization, with the key as X-API-Key or as a bearer token', async () => {
    const { id, key } = await issue(['read']);
    for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Record<string, string>[]) {
      const res = await app.request('/api/v1/me', { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ org_id: orgId, org_name: 'Acme', key_id: id, scopes: ['read'] });
    }
    const [stored] = await deps.mongo.connection.collection('api_keys').find({ _id: id as never }).toArray();
    expect(stored?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('answers 401 without a key, with an unknown or malformed one, and with another group’s credentials', async () => {
    const { key } = await issue(['read']);
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const headers of [{}, { 'x-api-key': forged }, { 'x-api-key': 'pk_short' }, { authorization: `Basic ${key}` }, { authorization: `Bearer ${testEnv.CRM_API_TOKEN}` }, { authorization: `Bearer ${ADMIN_KEY}` }] as Record<string, string>[]) {
      const res = await app.request('/api/v1/me', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('refuses a revoked key from the very next request', async () => {
    const { id, key } = await issue(['read']);
    expect((await app.request('/api/v1/me', { headers: { 'x-api-key': key } })).status).toBe(200);
    const revoke = await app.request(`/api/v1/admin/orgs/${orgId}/api-keys/${id}`, { method: 'DELETE', headers: { 'x-api-key': ADMIN_KEY } });
    expect(revoke.status).toBe(204);
    const res = await app.request('/api/v1/me', { headers: { 'x-api-key': key } });
    expect(res.status).toBe(401);
    // Another app over the same database (another process) refuses it too: nothing is cached.
    const other = createApp(deps);
    expect((await other.request('/api/v1/me', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it('needs read for GET and write for anything else (403), and admin satisfies both', async () => {
    const read = await issue(['read']);
    const write = await issue(['write']);
    const adminScoped = await issue(['admin']);
    // The scope is checked before the body: a write key gets as far as validation (400 for `{}`).
    const post = (key: string) => app.request('/api/v1/contacts', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{}' });
    const readRefused = await post(read.key);
    expect(readRefused.status).toBe(403);
    expect(await readRefused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await post(write.key)).status).toBe(400);
    expect((await post(adminScoped.key)).status).toBe(400);
    // write does not imply read.
    expect((await app.request('/api/v1/me', { headers: { 'x-api-key': write.key } })).status).toBe(403);
    expect((await app.request('/api/v1/me', { headers: { 'x-api-key': adminScoped.key } })).status).toBe(200);
    expect((await app.request('/api/v1/me', { method: 'HEAD', headers: { 'x-api-key': read.key } })).status).toBe(200);
  });

  it('puts every key in its own organization (the key decides it, never the request)', async () => {
    const { key } = await issue(['read'], DEFAULT_ORG_ID);
    const res = await app.request('/api/v1/me?org_id=' + orgId, { headers: { 'x-api-key': key, 'x-org-id': orgId } });
    expect(await res.json()).toMatchObject({ org_id: DEFAULT_ORG_ID });
  });
});

describe('the default organization', () => {
  it('exists after start-up, owns the configured WhatsApp number, and ensureDefaultOrg is idempotent', async () => {
    const deps = await createTestDeps();
    try {
      const orgs = deps.mongo.connection.collection('organizations');
      expect(await orgs.find({}).toArray()).toEqual([expect.objectContaining({ _id: DEFAULT_ORG_ID, phoneNumberIds: [testEnv.WHATSAPP_PHONE_NUMBER_ID] })]);
      const first = await deps.apiKeys.ensureDefaultOrg();
      await Promise.all([deps.apiKeys.ensureDefaultOrg(), deps.apiKeys.ensureDefaultOrg()]);
      const again = await deps.apiKeys.ensureDefaultOrg();
      expect(again).toEqual(first);
      expect(await orgs.countDocuments({})).toBe(1);
    } finally {
      await deps.cleanup();
    }
  });

  it('ensureKey stores a chosen key once (what npm run dev prints)', async () => {
    const deps = await createTestDeps();
    try {
      const { deriveKey } = await import('../../../src/api-keys/index.js');
      const key = deriveKey('some-admin-key', 'label');
      expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
      const a = await deps.apiKeys.store.ensureKey(DEFAULT_ORG_ID, { name: 'dev', scopes: ['read', 'write'], key });
      const b = await deps.apiKeys.store.ensureKey(DEFAULT_ORG_ID, { name: 'dev', scopes: ['read', 'write'], key });
      expect(b._id).toBe(a._id);
      const res = await createApp(deps).request('/api/v1/me', { headers: { 'x-api-key': key } });
      expect(await res.json()).toMatchObject({ org_id: DEFAULT_ORG_ID, org_name: 'Default', scopes: ['read', 'write'] });
    } finally {
      await deps.cleanup();
    }
  });
});
