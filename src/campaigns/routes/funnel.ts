import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignIdParam, funnelSchema } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const funnelRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/funnel',
  summary: 'The per-recipient funnel: enrolled → sent → delivered → read → replied → converted, each with its rate from the stage before and from enrolled',
  request: { params: campaignIdParam },
  responses: {
    200: {
      description: 'The funnel',
      content: {
        'application/json': {
          schema: funnelSchema,
          example: {
            campaign_id: 'cmp_Xk2m9QpL0aB1cD2e',
            stages: [
              { stage: 'enrolled', count: 1000, rate_from_previous: 100, rate_from_enrolled: 100, percentage: 100 },
              { stage: 'sent', count: 900, rate_from_previous: 90, rate_from_enrolled: 90, percentage: 90 },
              { stage: 'delivered', count: 860, rate_from_previous: 95.56, rate_from_enrolled: 86, percentage: 86 },
              { stage: 'read', count: 700, rate_from_previous: 81.4, rate_from_enrolled: 70, percentage: 70 },
              { stage: 'replied', count: 140, rate_from_previous: 20, rate_from_enrolled: 14, percentage: 14 },
              { stage: 'converted', count: 60, rate_from_previous: 42.86, rate_from_enrolled: 6, percentage: 6 },
            ],
            exits: { bounced: 20, unsubscribed: 25, unenrolled: 5 },
          },
        },
      },
    },
    ...errorResponses(401, 403, 404),
  },
});

export function registerFunnel(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    funnelRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      return c.json(await deps.figures.funnel(orgId, campaign), 200);
    },
    campaignsHook,
  );
}
