import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { activities } from '../analytics.js';
import { ACTIVITY_TYPES, activityListSchema, campaignIdParam } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  type: z.enum(ACTIVITY_TYPES).optional().openapi({ param: { name: 'type', in: 'query' }, example: 'enrolled' }),
});

export const activitiesRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/activities',
  summary: 'What happened in the campaign, newest first: its status changes and each contact’s enrollment, sends, deliveries, reads, replies, conversions and exits',
  request: { params: campaignIdParam, query },
  responses: {
    200: {
      description: 'A page of activities',
      content: {
        'application/json': {
          schema: activityListSchema,
          example: {
            data: [
              { type: 'enrolled', scope: 'contact', contact_id: 'ct_Qm3x8yZpL0aB1cD2', at: '2026-03-01T13:05:00.000Z', detail: null },
              { type: 'started', scope: 'campaign', contact_id: null, at: '2026-03-01T13:00:00.000Z', detail: 'by api:key_Ab12Cd34' },
            ],
            total: 2,
            skip: 0,
            limit: 50,
          },
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerActivities(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    activitiesRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      const { skip, limit, type } = c.req.valid('query');
      const page = { skip, limit };
      const { data, total } = await activities(deps.enrollments, orgId, campaign, type ? { type } : {}, page);
      return c.json(listEnvelope(data.map((a) => ({ ...a, at: a.at.toISOString() })), total, page), 200);
    },
    campaignsHook,
  );
}
