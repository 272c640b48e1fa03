import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { checkDates, DEFAULT_CRITERIA, DEFAULT_SETTINGS, mergeCriteria, mergeSettings } from '../criteria.js';
import { campaignExample, campaignSchema, createCampaignSchema, toCampaign } from '../schemas.js';
import { actor, campaignsHook, checkSendingNumber, type CampaignRouteDeps } from './context.js';

export const createCampaignRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaigns',
  summary: 'Create a WhatsApp campaign (status draft): its audience rules, goal, budget, dates and sending settings',
  description:
    'Campaigns are WhatsApp only: `campaign_type` defaults to `whatsapp` and anything else is a 422. Add its steps with `POST /api/v1/campaigns/{id}/messages`, enroll contacts, then `POST /start`.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createCampaignSchema,
          example: {
            name: 'Lanzamiento Hogar 500',
            description: 'Clientes de la feria con interés en fibra',
            campaign_type: 'whatsapp',
            target_criteria: { lead_stages: ['mql', 'sql'], min_lead_score: 40, tags: ['feria'], opt_in_status: 'opted_in', max_contacts: 5000 },
            goal_type: 'conversion',
            goal_value: 200,
            budget: 1500000,
            start_date: '2026-03-01T13:00:00Z',
            end_date: '2026-03-31T23:00:00Z',
            settings: { send_time_optimization: false, frequency_cap: '1_per_day' },
          },
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: campaignSchema, example: campaignExample } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export function registerCreateCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    createCampaignRoute,
    async (c) => {
      const auth = c.get('auth');
      const body = c.req.valid('json');
      const start = body.start_date ? new Date(body.start_date) : undefined;
      const end = body.end_date ? new Date(body.end_date) : undefined;
      checkDates(start, end);
      await checkSendingNumber(deps, auth.orgId, body.settings?.phone_number_id);
      const doc = await deps.campaigns.create(
        auth.orgId,
        {
          name: body.name,
          ...(body.description ? { description: body.description } : {}),
          target_criteria: mergeCriteria(DEFAULT_CRITERIA, body.target_criteria),
          ...(body.goal_type ? { goal_type: body.goal_type } : {}),
          ...(body.goal_value !== undefined ? { goal_value: body.goal_value } : {}),
          ...(body.goal_stage ? { goal_stage: body.goal_stage } : {}),
          ...(body.budget !== undefined ? { budget: body.budget } : {}),
          ...(start ? { start_date: start } : {}),
          ...(end ? { end_date: end } : {}),
          settings: mergeSettings(DEFAULT_SETTINGS, body.settings),
        },
        actor(auth),
      );
      return c.json(toCampaign(doc), 201);
    },
    campaignsHook,
  );
}
