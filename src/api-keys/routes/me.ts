import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { scopeSchema } from '../schemas.js';

export const meSchema = z.object({ org_id: z.string(), org_name: z.string(), key_id: z.string(), scopes: z.array(scopeSchema) }).openapi('Me');

export const meRoute = createRoute({
  method: 'get',
  path: '/api/v1/me',
  summary: 'Which organization and key this API key is (needs the read scope)',
  responses: { 200: { description: 'The caller', content: { 'application/json': { schema: meSchema } } }, ...errorResponses(401, 403) },
});

export function registerMe(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(meRoute, async (c) => {
    const auth = c.get('auth');
    const org = await store.findOrg(auth.orgId);
    // Organizations are never deleted today; a key whose organization is gone must not pass as valid.
    if (!org) throw new AppError('UNAUTHORIZED', 'The API key is not valid');
    return c.json({ org_id: org._id, org_name: org.name, key_id: auth.keyId, scopes: auth.scopes }, 200);
  });
}
