import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam, subscriptionExample, toSubscription, updatedSubscriptionSchema, updateSubscriptionSchema } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

export const updateWebhookRoute = createRoute({
  method: 'patch',
  path: '/api/v1/webhooks/{id}',
  summary:
    'Change a subscription: url (verified again), events, description, status (paused ↔ active; active on a pending or disabled one verifies it again), or rotate the secret (the new one is in this answer, once; the old one signs beside it for overlap_seconds)',
  request: {
    params: idParam,
    body: { required: true, content: { 'application/json': { schema: updateSubscriptionSchema, example: { rotate_secret: true, overlap_seconds: 3600 } } } },
  },
  responses: {
    200: {
      description: 'The subscription as changed (with `secret` when rotated)',
      content: { 'application/json': { schema: updatedSubscriptionSchema, example: { ...subscriptionExample, previous_secret_expires_at: '2026-01-15T15:00:00.000Z', secret: 'whsec_N4bR7tY0wQ3eU6iO9pA2sD5fG8hJ1kL4zX7cV0bN3mQ' } } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerUpdateWebhook(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(updateWebhookRoute, async (c) => {
    const { subscription, secret } = await deps.service.update(c.get('auth').orgId, c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...toSubscription(subscription), ...(secret ? { secret } : {}) }, 200);
  });
}
