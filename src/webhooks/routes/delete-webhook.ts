import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

export const deleteWebhookRoute = createRoute({
  method: 'delete',
  path: '/api/v1/webhooks/{id}',
  summary: 'Delete a subscription: its deliveries stop (queued ones are dropped) and its delivery log goes with it',
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
});

export function registerDeleteWebhook(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(deleteWebhookRoute, async (c) => {
    await deps.service.remove(c.get('auth').orgId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
