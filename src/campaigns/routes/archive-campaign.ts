import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignExample, campaignIdParam, campaignSchema, toCampaign } from '../schemas.js';
import { actor, campaignsHook, type CampaignRouteDeps } from './context.js';

export const archiveCampaignRoute = createRoute({
  method: 'delete',
  path: '/api/v1/campaigns/{id}',
  summary: 'Archive a campaign (the soft delete): nothing more is sent, it leaves the default list, its enrollments and figures stay; archiving again is a 409',
  request: { params: campaignIdParam },
  responses: {
    200: { description: 'The campaign, archived', content: { 'application/json': { schema: campaignSchema, example: { ...campaignExample, status: 'archived', archived_at: '2026-04-02T10:00:00.000Z' } } } },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function registerArchiveCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    archiveCampaignRoute,
    async (c) => {
      const { id } = c.req.valid('param');
      const auth = c.get('auth');
      const doc = await deps.campaigns.act(auth.orgId, id, 'archive', { by: actor(auth) });
      if (!doc) throw new AppError('NOT_FOUND', `No campaign ${id}`);
      return c.json(toCampaign(doc), 200);
    },
    campaignsHook,
  );
}
