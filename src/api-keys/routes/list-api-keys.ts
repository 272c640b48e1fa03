import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { apiKeyListSchema, orgIdParamSchema, toApiKeySummary } from '../schemas.js';

export const listApiKeysRoute = createRoute({
  method: 'get',
  path: '/api/v1/admin/orgs/{org_id}/api-keys',
  summary: "List an organization's API keys, revoked ones included (never the secrets)",
  request: { params: z.object({ org_id: orgIdParamSchema }), query: paginationQuerySchema },
  responses: { 200: { description: 'A page of keys', content: { 'application/json': { schema: apiKeyListSchema } } }, ...errorResponses(400, 401, 404) },
});

export function registerListApiKeys(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(listApiKeysRoute, async (c) => {
    const { org_id } = c.req.valid('param');
    if (!(await store.findOrg(org_id))) throw new AppError('NOT_FOUND', `No organization ${org_id}`);
    const page = c.req.valid('query');
    const { data, total } = await store.listKeys(org_id, page);
    return c.json(listEnvelope(data.map(toApiKeySummary), total, page), 200);
  });
}
