import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { messageParams } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';

export const deleteMessageRoute = createRoute({
  method: 'delete',
  path: '/api/v1/campaigns/{id}/messages/{message_id}',
  summary: 'Remove a step (an active campaign keeps at least one: 409)',
  request: { params: messageParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
});

export function registerDeleteMessage(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    deleteMessageRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const { id, message_id } = c.req.valid('param');
      const campaign = await changeableCampaign(deps, orgId, id, 'messages');
      if (!(await deps.campaigns.getMessage(orgId, campaign._id, message_id))) throw new AppError('NOT_FOUND', `No message ${message_id} in campaign ${id}`);
      if (campaign.status === 'active' && (await deps.campaigns.countMessages(orgId, campaign._id)) <= 1) {
        throw new AppError('CONFLICT', 'An active campaign keeps at least one message: pause it or add another step first', { status: campaign.status });
      }
      if (!(await deps.campaigns.deleteMessage(orgId, campaign._id, message_id))) throw new AppError('NOT_FOUND', `No message ${message_id} in campaign ${id}`);
      return c.body(null, 204);
    },
    campaignsHook,
  );
}
