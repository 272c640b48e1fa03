import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { ApiKeyStore } from '../store.js';
import { nameSchema, organizationSchema, toOrganization } from '../schemas.js';

export const createOrgRoute = createRoute({
  method: 'post',
  path: '/api/v1/admin/orgs',
  summary: 'Create an organization (the platform owner, with API_ADMIN_KEY)',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ name: nameSchema }).openapi('CreateOrganization') } } } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: organizationSchema } } }, ...errorResponses(400, 401, 404) },
});

export function registerCreateOrg(group: RouteGroup, store: ApiKeyStore): void {
  group.openapi(createOrgRoute, async (c) => c.json(toOrganization(await store.createOrg(c.req.valid('json').name)), 201));
}
