import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { checkDates, mergeCriteria, mergeSettings } from '../criteria.js';
import { campaignExample, campaignIdParam, campaignSchema, toCampaign, updateCampaignSchema } from '../schemas.js';
import { campaignsHook, checkSendingNumber, type CampaignRouteDeps } from './context.js';

export const updateCampaignRoute = createRoute({
  method: 'patch',
  path: '/api/v1/campaigns/{id}',
  summary: 'Change a campaign’s fields (not its status): target_criteria and settings are merged key by key, null clears a field; an archived campaign is a 409',
  request: {
    params: campaignIdParam,
    body: { required: true, content: { 'application/json': { schema: updateCampaignSchema, example: { description: 'Segunda ola', target_criteria: { min_lead_score: 60, max_contacts: null }, settings: { frequency_cap: '2_per_week' } } } } },
  },
  responses: {
    200: { description: 'The campaign as changed', content: { 'application/json': { schema: campaignSchema, example: campaignExample } } },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

const SIMPLE = ['name', 'description', 'goal_type', 'goal_value', 'goal_stage', 'budget'] as const;

export function registerUpdateCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    updateCampaignRoute,
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await checkSendingNumber(deps, c.get('auth').orgId, body.settings?.phone_number_id);
      const doc = await deps.campaigns.update(c.get('auth').orgId, id, (current) => {
        const set: Record<string, unknown> = {};
        const unset: string[] = [];
        for (const field of SIMPLE) {
          const value = body[field];
          if (value === undefined) continue;
          if (value === null) unset.push(field);
          else set[field] = value;
        }
        for (const field of ['start_date', 'end_date'] as const) {
          const value = body[field];
          if (value === null) unset.push(field);
          else if (value !== undefined) set[field] = new Date(value);
        }
        const start = 'start_date' in set ? (set.start_date as Date) : unset.includes('start_date') ? undefined : current.start_date;
        const end = 'end_date' in set ? (set.end_date as Date) : unset.includes('end_date') ? undefined : current.end_date;
        checkDates(start, end);
        if (body.target_criteria) set.target_criteria = mergeCriteria(current.target_criteria, body.target_criteria);
        if (body.settings) set.settings = mergeSettings(current.settings, body.settings);
        return { set, unset };
      });
      if (!doc) throw new AppError('NOT_FOUND', `No campaign ${id}`);
      return c.json(toCampaign(doc), 200);
    },
    campaignsHook,
  );
}
