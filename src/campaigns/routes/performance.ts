import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignIdParam, performanceSchema } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const performanceRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/performance',
  summary: 'Counts and rates from the per-recipient funnel (status webhooks, replies, conversions): enrolled by status, sent, delivered, read, replied, converted, exits; goal progress, cost per conversion, revenue, ROI, average response time; per-step message counts',
  request: { params: campaignIdParam },
  responses: {
    200: {
      description: 'The campaign’s figures',
      content: {
        'application/json': {
          schema: performanceSchema,
          example: {
            campaign_id: 'cmp_Xk2m9QpL0aB1cD2e',
            status: 'active',
            enrolled: 1000,
            by_status: { pending: 100, active: 700, paused: 0, completed: 150, bounced: 20, unsubscribed: 30 },
            sent: 900,
            delivered: 860,
            read: 700,
            replied: 140,
            converted: 60,
            bounced: 20,
            unsubscribed: 25,
            unenrolled: 5,
            delivery_rate: 95.56,
            read_rate: 81.4,
            reply_rate: 16.28,
            conversion_rate: 6,
            unsubscribe_rate: 2.78,
            goal: { type: 'conversion', value: 200, achieved: 60, progress: 30 },
            budget: 1500000,
            cost_per_conversion: 25000,
            conversions: 60,
            total_revenue: 9000000,
            roi: 500,
            avg_response_time_hours: 3.25,
            messages: { sent: 1700, delivered: 1620, read: 1310, replied: 150, failed: 25 },
          },
        },
      },
    },
    ...errorResponses(401, 403, 404),
  },
});

export function registerPerformance(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    performanceRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      return c.json(await deps.figures.performance(orgId, campaign), 200);
    },
    campaignsHook,
  );
}
