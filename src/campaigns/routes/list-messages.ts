import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignIdParam, messageExample, messageListSchema, toMessage } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const listMessagesRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/messages',
  summary: 'The campaign’s steps, in step order',
  request: { params: campaignIdParam, query: paginationQuerySchema },
  responses: {
    200: { description: 'A page of steps', content: { 'application/json': { schema: messageListSchema, example: { data: [messageExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function registerListMessages(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    listMessagesRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      const page = c.req.valid('query');
      const { data, total } = await deps.campaigns.listMessages(orgId, campaign._id, page);
      return c.json(listEnvelope(data.map(toMessage), total, page), 200);
    },
    campaignsHook,
  );
}
