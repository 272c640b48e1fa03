import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { createdApiKeySchema, nameSchema, orgIdParamSchema, scopeSchema } from '../schemas.js';

export const createApiKeyRoute = createRoute({
  method: 'post',
  path: '/api/v1/admin/orgs/{org_id}/api-keys',
  summary: "Create an organization's API key (the key is in this answer only)",
  request: {
    params: z.object({ org_id: orgIdParamSchema }),
    body: { required: true, content: { 'application/json': { schema: z.object({ name: nameSchema, scopes: z.array(scopeSchema).min(1) }).openapi('CreateApiKey') } } },
  },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: createdApiKeySchema } } }, ...errorResponses(400, 401, 404, 422) },
});

export function registerCreateApiKey(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(createApiKeyRoute, async (c) => {
    const { org_id } = c.req.valid('param');
    if (!(await store.findOrg(org_id))) throw new AppError('NOT_FOUND', `No organization ${org_id}`);
    const { record, key } = await store.issueKey(org_id, c.req.valid('json'));
    return c.json({ id: record._id, name: record.name, scopes: record.scopes, key, created_at: record.createdAt.toISOString() }, 201);
  });
}
