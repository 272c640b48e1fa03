import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { leadExample, leadIdParam, leadSchema, toLead } from '../schemas.js';
import { found, type LeadRouteDeps } from './context.js';

export const getLeadRoute = createRoute({
  method: 'get',
  path: '/api/v1/leads/{id}',
  summary: 'A lead with its stage history (another organization’s is 404)',
  request: { params: leadIdParam },
  responses: { 200: { description: 'The lead', content: { 'application/json': { schema: leadSchema, example: leadExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetLead(group: RouteGroup, deps: LeadRouteDeps): void {
  group.openapi(getLeadRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(toLead(found(await deps.leads.get(c.get('auth').orgId, id), id)), 200);
  });
}
