import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { EVENT_CALLBACKS } from '../event-docs.js';
import { createSubscriptionSchema, subscriptionExample, subscriptionWithSecretSchema, toSubscription } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

export const createWebhookRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks',
  summary: 'Subscribe a URL to events. The answer shows the signing secret, once. The subscription stays pending_verification until the URL echoes the webhook.verification challenge (docs/webhooks.md)',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: createSubscriptionSchema, example: { url: 'https://n8n.example.com/webhook/puente', events: ['ticket.created', 'ticket.closed'], description: 'n8n: tickets to Slack' } } },
    },
  },
  responses: {
    201: {
      description: 'Created, pending verification',
      content: { 'application/json': { schema: subscriptionWithSecretSchema, example: { ...subscriptionExample, status: 'pending_verification', verified_at: null, secret: 'whsec_q3VtZ0b8Yc1nLm4Kp7Rs2Wx5Ae9Df6Gh0Jk3Nu8Pv1Q' } } },
    },
    ...errorResponses(400, 401, 403, 409, 422),
  },
  // What Puente will POST to the url: one callback per event type (OpenAPI 3.0 has no top-level webhooks).
  callbacks: EVENT_CALLBACKS,
});

export function registerCreateWebhook(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(createWebhookRoute, async (c) => {
    const { subscription, secret } = await deps.service.create(c.get('auth').orgId, c.req.valid('json'));
    return c.json({ ...toSubscription(subscription), secret }, 201);
  });
}
