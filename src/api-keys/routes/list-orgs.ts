import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { organizationListSchema, toOrganization } from '../schemas.js';

export const listOrgsRoute = createRoute({
  method: 'get',
  path: '/api/v1/admin/orgs',
  summary: 'List organizations, oldest first',
  request: { query: paginationQuerySchema },
  responses: { 200: { description: 'A page of organizations', content: { 'application/json': { schema: organizationListSchema } } }, ...errorResponses(400, 401, 404) },
});

export function registerListOrgs(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(listOrgsRoute, async (c) => {
    const page = c.req.valid('query');
    const { data, total } = await store.listOrgs(page);
    return c.json(listEnvelope(data.map(toOrganization), total, page), 200);
  });
}
