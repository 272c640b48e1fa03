import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignIdParam, enrollmentExample, enrollmentListSchema, enrollmentStatusSchema, toEnrollment } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  status: enrollmentStatusSchema.optional().openapi({ param: { name: 'status', in: 'query' }, example: 'pending' }),
});

export const listEnrollmentsRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/contacts',
  summary: 'The campaign’s enrolled contacts (their enrollments: status, step, funnel times), first enrolled first',
  request: { params: campaignIdParam, query },
  responses: {
    200: { description: 'A page of enrollments', content: { 'application/json': { schema: enrollmentListSchema, example: { data: [enrollmentExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerListEnrollments(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    listEnrollmentsRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      const { skip, limit, status } = c.req.valid('query');
      const page = { skip, limit };
      const { data, total } = await deps.enrollments.list(orgId, campaign._id, status ? { status } : {}, page);
      const contacts = new Map((await deps.targeting.contactDocs(orgId, data.map((e) => e.contact_id))).map((ct) => [ct._id, ct]));
      return c.json(listEnvelope(data.map((e) => toEnrollment(e, contacts.get(e.contact_id) ?? null)), total, page), 200);
    },
    campaignsHook,
  );
}
