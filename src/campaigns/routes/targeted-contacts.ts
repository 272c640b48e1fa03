import { createRoute } from '@hono/zod-openapi';
import { contactExample, contactListSchema, toContact } from '../../contacts/schemas.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { previewTargets } from '../enroll.js';
import { campaignIdParam } from '../schemas.js';
import { campaignFor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const targetedContactsRoute = createRoute({
  method: 'get',
  path: '/api/v1/campaigns/{id}/targeted-contacts',
  summary: 'Preview: the contacts enroll-from-criteria would enroll now, in its order (contact created_at, id); nothing is enrolled',
  description: '`total` is how many it would enroll (counted in one pass over the targeted ids, capped by max_contacts).',
  request: { params: campaignIdParam, query: paginationQuerySchema },
  responses: {
    200: { description: 'A page of the targeted contacts', content: { 'application/json': { schema: contactListSchema, example: { data: [contactExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function registerTargetedContacts(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    targetedContactsRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await campaignFor(deps, orgId, c.req.valid('param').id);
      const page = c.req.valid('query');
      const { data, total } = await previewTargets(deps, orgId, campaign, page);
      return c.json(listEnvelope(data.map(toContact), total, page), 200);
    },
    campaignsHook,
  );
}
