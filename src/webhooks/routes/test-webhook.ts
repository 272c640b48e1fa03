import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { EVENT_TYPES } from '../../platform/events/types.js';
import { deliveryExample, deliverySchema, eventTypeSchema, idParam, toDelivery } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

// A missing event is a wrong shape (400), an unknown one a refused value (422): zod reports a missing enum as invalid_value.
const testBody = z
  .object({ event: z.string().pipe(eventTypeSchema).openapi({ type: 'string', enum: [...EVENT_TYPES], description: 'The event type to send a sample of', example: 'ticket.created' }) })
  .openapi('TestWebhook');

export const testWebhookRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/{id}/test',
  summary: 'Send a sample event of a type to the subscription now (whatever its status; signed and retried like any delivery)',
  request: { params: idParam, body: { required: true, content: { 'application/json': { schema: testBody, example: { event: 'ticket.created' } } } } },
  responses: {
    202: { description: 'The test delivery, queued', content: { 'application/json': { schema: deliverySchema, example: { ...deliveryExample, kind: 'test', status: 'pending', attempts: [], attempt_count: 0, delivered_at: null } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerTestWebhook(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(testWebhookRoute, async (c) => {
    const doc = await deps.service.sendTest(c.get('auth').orgId, c.req.valid('param').id, c.req.valid('json').event);
    return c.json(toDelivery(doc), 202);
  });
}
