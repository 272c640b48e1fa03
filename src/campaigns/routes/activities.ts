import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { ACTIVITY_TYPES, activityListSchema, campaignIdParam } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  type: z
    .string()
    .pipe(z.enum(ACTIVITY_TYPES))
    .optional()
    .openapi({ type: 'string', enum: [...ACTIVITY_TYPES], param: { name: 'type', in: 'query' }, example: 'message_read' }),
  contact_id: z.string().min(1).max(100).optional().openapi({ param: { name: 'contact_id', in: 'query' }, description: 'One contact’s activities only (no campaign status changes)', example: 'ct_Qm3x8yZpL0aB1cD2' }),
  step: z.coerce.number().int().min(1).max(100).optional().openapi({ param: { name: 'step', in: 'query' }, description: 'One step’s message activities only', example: 1 }),
});

export const activitiesRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/activities',
  summary:
    'What happened in the campaign, newest first: its status changes; each contact’s enrollment, conversion and exit; and every step’s message_sent, message_delivered, message_read, message_replied and message_failed',
  request: { params: campaignIdParam, query },
  responses: {
    200: {
      description: 'A page of activities',
      content: {
        'application/json': {
          schema: activityListSchema,
          example: {
            data: [
              { type: 'message_read', scope: 'contact', contact_id: 'ct_Qm3x8yZpL0aB1cD2', enrollment_id: 'enr_Lm3n4Op5Qr6St7Uv', step: 1, at: '2026-03-01T15:20:00.000Z', detail: null },
              { type: 'message_delivered', scope: 'contact', contact_id: 'ct_Qm3x8yZpL0aB1cD2', enrollment_id: 'enr_Lm3n4Op5Qr6St7Uv', step: 1, at: '2026-03-01T15:00:04.000Z', detail: null },
              { type: 'message_sent', scope: 'contact', contact_id: 'ct_Qm3x8yZpL0aB1cD2', enrollment_id: 'enr_Lm3n4Op5Qr6St7Uv', step: 1, at: '2026-03-01T15:00:02.000Z', detail: null },
              { type: 'contact_enrolled', scope: 'contact', contact_id: 'ct_Qm3x8yZpL0aB1cD2', enrollment_id: 'enr_Lm3n4Op5Qr6St7Uv', step: null, at: '2026-03-01T13:05:00.000Z', detail: null },
              { type: 'started', scope: 'campaign', contact_id: null, enrollment_id: null, step: null, at: '2026-03-01T13:00:00.000Z', detail: 'by api:key_Ab12Cd34' },
            ],
            total: 5,
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
      const { skip, limit, type, contact_id, step } = c.req.valid('query');
      const page = { skip, limit };
      const filters = { ...(type ? { type } : {}), ...(contact_id ? { contact_id } : {}), ...(step !== undefined ? { step } : {}) };
      const { data, total } = await deps.figures.activities(orgId, campaign, filters, page);
      return c.json(listEnvelope(data.map((a) => ({ ...a, at: a.at.toISOString() })), total, page), 200);
    },
    campaignsHook,
  );
}
