import { createApp } from '../../../src/app/http-app.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

export interface Harness {
  deps: TestDeps;
  app: ReturnType<typeof createApp>;
  /** Makes an organization and a read+write key for it through the admin routes. */
  org(name?: string): Promise<{ orgId: string; key: string; call: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response> }>;
}

export async function harness(): Promise<Harness> {
  const deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY });
  const app = createApp(deps);
  const admin = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    deps,
    app,
    async org(name = 'Acme') {
      const orgId = ((await (await admin('/api/v1/admin/orgs', { name })).json()) as { id: string }).id;
      const { key } = (await (await admin(`/api/v1/admin/orgs/${orgId}/api-keys`, { name: 'rw', scopes: ['read', 'write'] })).json()) as { key: string };
      const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
        const { json, headers, ...rest } = init;
        const h = new Headers(headers);
        h.set('x-api-key', key);
        if (json !== undefined) h.set('content-type', 'application/json');
        return app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
      };
      return { orgId, key, call };
    },
  };
}
