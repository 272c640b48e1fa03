import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { orgIdParamSchema } from '../schemas.js';

export const revokeApiKeyRoute = createRoute({
  method: 'delete',
  path: '/api/v1/admin/orgs/{org_id}/api-keys/{id}',
  summary: 'Revoke an API key: refused from the next request on, in every process (repeating it is harmless)',
  request: { params: z.object({ org_id: orgIdParamSchema, id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) },
});

export function registerRevokeApiKey(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(revokeApiKeyRoute, async (c) => {
    const { org_id, id } = c.req.valid('param');
    // A key of another organization is "not found" here too: the path names the organization.
    if (!(await store.revokeKey(org_id, id))) throw new AppError('NOT_FOUND', `No API key ${id} in organization ${org_id}`);
    return c.body(null, 204);
  });
}
