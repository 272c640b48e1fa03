import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/http-app.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { businessFixtures, type BusinessApiClient } from '../helpers/business-fixtures.js';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
type OpenApiDoc = { paths: Record<string, Record<string, unknown>> };
type Operation = { method: string; path: string };

/**
 * The one suite every business API route runs through, derived from /openapi.json: for each
 * `/api/v1` operation (not the platform owner's admin routes) it checks the key (none, revoked →
 * 401), the scope (a key without it → 403), and that another organization's resource is a 404
 * that says nothing about its existence. A route whose path has a parameter needs a fixture in
 * test/helpers/business-fixtures.ts, or this suite fails for it.
 */
describe('every business API route: keys, scopes, and organizations kept apart', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  let operations: Operation[] = [];
  const keys: Record<'ownerAll' | 'otherAll' | 'read' | 'write' | 'revoked', string> = { ownerAll: '', otherAll: '', read: '', write: '', revoked: '' };
  const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
  const api: BusinessApiClient = {
    request: async (method, path, key, body) =>
      app.request(path, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
  };

  beforeAll(async () => {
    deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
    app = createApp(deps);
    const org = async (name: string) => ((await (await app.request('/api/v1/admin/orgs', { method: 'POST', headers: admin, body: JSON.stringify({ name }) })).json()) as { id: string }).id;
    const key = async (orgId: string, scopes: string[]) =>
      (await (await app.request(`/api/v1/admin/orgs/${orgId}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: scopes.join('+'), scopes }) })).json()) as { id: string; key: string };
    const [owner, other] = [await org('Owner'), await org('Other')];
    keys.ownerAll = (await key(owner, ['read', 'write'])).key;
    keys.otherAll = (await key(other, ['read', 'write'])).key;
    keys.read = (await key(owner, ['read'])).key;
    keys.write = (await key(owner, ['write'])).key;
    const revoked = await key(owner, ['read', 'write']);
    await app.request(`/api/v1/admin/orgs/${owner}/api-keys/${revoked.id}`, { method: 'DELETE', headers: admin });
    keys.revoked = revoked.key;
    const doc = (await (await app.request('/openapi.json')).json()) as OpenApiDoc;
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/') && !path.startsWith('/api/v1/admin/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(async () => deps.cleanup());

  /** The operation's URL with the parameters of a resource `key`'s organization owns (or placeholders). */
  const urlFor = async (op: Operation, key: string) => {
    const fixture = businessFixtures[op.path];
    const params = fixture ? await fixture.create(api, key) : {};
    return op.path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? `missing-${name}`);
  };
  const bodyFor = (op: Operation) => (op.method === 'GET' || op.method === 'DELETE' ? undefined : (businessFixtures[op.path]?.bodies?.[op.method as 'POST'] ?? {}));

  it('finds the business API in the document', () => {
    expect(operations.map((o) => `${o.method} ${o.path}`)).toContain('GET /api/v1/me');
  });

  it('has an isolation fixture for every path with a parameter', () => {
    const missing = [...new Set(operations.filter((o) => o.path.includes('{')).map((o) => o.path))].filter((path) => !businessFixtures[path]);
    expect(missing, 'register these in test/helpers/business-fixtures.ts').toEqual([]);
  });

  it('answers 401 without a key and with a revoked one, on every operation', async () => {
    for (const op of operations) {
      const url = await urlFor(op, keys.ownerAll);
      for (const headers of [{}, { 'x-api-key': keys.revoked }] as Record<string, string>[]) {
        const res = await app.request(url, { method: op.method, headers: { 'content-type': 'application/json', ...headers }, ...(bodyFor(op) === undefined ? {} : { body: JSON.stringify(bodyFor(op)) }) });
        expect(res.status, `${op.method} ${url} with ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('answers 403 to a key without the scope the method needs', async () => {
    for (const op of operations) {
      const url = await urlFor(op, keys.ownerAll);
      const lacking = op.method === 'GET' || op.method === 'HEAD' ? keys.write : keys.read;
      const res = await api.request(op.method, url, lacking, bodyFor(op));
      expect(res.status, `${op.method} ${url}`).toBe(403);
    }
  });

  it("answers 404 to another organization's key for a resource it does not own, on every operation with an id", async () => {
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      const url = await urlFor(op, keys.ownerAll);
      const res = await api.request(op.method, url, keys.otherAll, bodyFor(op));
      expect(res.status, `${op.method} ${url}`).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/NOT_FOUND$/);
      // The owner still gets through (the 404 is about ownership, not a broken route or body).
      const own = await api.request(op.method, await urlFor(op, keys.ownerAll), keys.ownerAll, bodyFor(op));
      expect(own.status, `${op.method} ${url} by its owner`).toBeLessThan(300);
    }
  });
});
