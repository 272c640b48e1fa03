import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { subscriptionExample, subscriptionListSchema, toSubscription } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

export const listWebhooksRoute = createRoute({
  method: 'get',
  path: '/api/v1/webhooks',
  summary: 'The organization’s webhook subscriptions, oldest first (secrets are never shown again)',
  request: { query: paginationQuerySchema },
  responses: {
    200: { description: 'A page of subscriptions', content: { 'application/json': { schema: subscriptionListSchema, example: { data: [subscriptionExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403),
  },
});

export function registerListWebhooks(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(listWebhooksRoute, async (c) => {
    const page = c.req.valid('query');
    const { data, total } = await deps.service.list(c.get('auth').orgId, page);
    return c.json(listEnvelope(data.map(toSubscription), total, page), 200);
  });
}
