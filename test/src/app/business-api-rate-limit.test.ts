import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_REQUESTS_PER_MINUTE } from '../../../src/app/deps.js';
import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, testEnv, type TestDeps } from '../../helpers/deps.js';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

/** The v1 group as assembled by the composition root: the key names the organization, then its budget applies. */
describe('the business API rate limit, per organization', () => {
  let deps: TestDeps;
  let app: ReturnType<typeof createApp>;
  const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
  const orgWithKey = async (name: string) => {
    const org = (await (await app.request('/api/v1/admin/orgs', { method: 'POST', headers: admin, body: JSON.stringify({ name }) })).json()) as { id: string };
    const keys = async () => ((await (await app.request(`/api/v1/admin/orgs/${org.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'k', scopes: ['read'] }) })).json()) as { key: string }).key;
    return { id: org.id, keys: [await keys(), await keys()] };
  };

  beforeAll(async () => {
    deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
    app = createApp(deps);
  });
  afterAll(async () => deps.cleanup());

  it('answers with RateLimit-* headers, shares the budget between the keys of one organization, and answers 429 with Retry-After past it', async () => {
    // Start early in a minute-long window so the whole budget fits in one.
    const secondOfMinute = new Date().getUTCSeconds();
    if (secondOfMinute > 40) await new Promise((resolve) => setTimeout(resolve, (61 - secondOfMinute) * 1000));
    const acme = await orgWithKey('Acme');
    const first = await app.request('/api/v1/me', { headers: { 'x-api-key': acme.keys[0]! } });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe(String(API_REQUESTS_PER_MINUTE));
    expect(first.headers.get('ratelimit-remaining')).toBe(String(API_REQUESTS_PER_MINUTE - 1));

    // The rest of the budget, alternating the organization's two keys, 25 at a time.
    let ok = 1;
    for (let sent = 1; sent < API_REQUESTS_PER_MINUTE; sent += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, API_REQUESTS_PER_MINUTE - sent) }, (_, i) => app.request('/api/v1/me', { headers: { 'x-api-key': acme.keys[(sent + i) % 2]! } })));
      ok += batch.filter((r) => r.status === 200).length;
    }
    expect(ok).toBe(API_REQUESTS_PER_MINUTE);

    const refused = await app.request('/api/v1/me', { headers: { 'x-api-key': acme.keys[1]! } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');

    // Another organization has its own budget, and the CRM's API is not limited by any of it.
    const other = await orgWithKey('Globex');
    expect((await app.request('/api/v1/me', { headers: { 'x-api-key': other.keys[0]! } })).status).toBe(200);
    const crm = await app.request('/api/crm/handover-status/TK-1999-000001', { headers: { authorization: `Bearer ${testEnv.CRM_API_TOKEN}` } });
    expect(crm.status).toBe(404);
    expect(crm.headers.get('ratelimit-limit')).toBeNull();
  }, 90_000);
});
