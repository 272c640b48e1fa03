import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from '../models.js';
import { campaignExample, campaignListSchema, toCampaign, WHATSAPP_ONLY } from '../schemas.js';
import { campaignsHook, type CampaignRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  status: z.enum(CAMPAIGN_STATUSES).optional().openapi({ param: { name: 'status', in: 'query', description: 'Archived campaigns are listed only when asked for' }, example: 'active' }),
  type: z.enum(CAMPAIGN_TYPES, { error: WHATSAPP_ONLY }).optional().openapi({ param: { name: 'type', in: 'query', description: 'whatsapp (the only type)' }, example: 'whatsapp' }),
});

export const listCampaignsRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns',
  summary: 'The organization’s campaigns, newest first, by status and type (archived ones only with status=archived)',
  request: { query },
  responses: {
    200: { description: 'A page of campaigns', content: { 'application/json': { schema: campaignListSchema, example: { data: [campaignExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export function registerListCampaigns(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    listCampaignsRoute,
    async (c) => {
      const { skip, limit, status, type } = c.req.valid('query');
      const page = { skip, limit };
      const { data, total } = await deps.campaigns.list(c.get('auth').orgId, { ...(status ? { status } : {}), ...(type ? { type } : {}) }, page);
      return c.json(listEnvelope(data.map(toCampaign), total, page), 200);
    },
    campaignsHook,
  );
}
