import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignExample, campaignIdParam, campaignSchema, toCampaign } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const getCampaignRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}',
  summary: 'A campaign of the organization (archived ones too; another organization’s is 404)',
  request: { params: campaignIdParam },
  responses: { 200: { description: 'The campaign', content: { 'application/json': { schema: campaignSchema, example: campaignExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(getCampaignRoute, async (c) => c.json(toCampaign(await campaignFor(deps, c.get('auth').orgId, c.req.valid('param').id)), 200), campaignsHook);
}
