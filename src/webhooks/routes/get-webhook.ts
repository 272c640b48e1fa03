import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam, subscriptionExample, subscriptionSchema, toSubscription } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

export const getWebhookRoute = createRoute({
  method: 'get',
  path: '/api/v1/webhooks/{id}',
  summary: 'A webhook subscription (another organization’s is 404)',
  request: { params: idParam },
  responses: { 200: { description: 'The subscription', content: { 'application/json': { schema: subscriptionSchema, example: subscriptionExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetWebhook(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(getWebhookRoute, async (c) => c.json(toSubscription(await deps.service.get(c.get('auth').orgId, c.req.valid('param').id)), 200));
}
