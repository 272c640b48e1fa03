import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { deliveryExample, deliverySchema, toDelivery } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

const params = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'whk_Tz8kQ2mW5nB0xLcV' }),
  delivery_id: z.string().min(1).max(100).openapi({ param: { name: 'delivery_id', in: 'path' }, example: 'dlv_3kVn0pQ8sLm2XcYb7aZ1Rt' }),
});

export const redeliverRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver',
  summary: 'Send a delivery’s event again, as a new delivery (new delivery id, `redelivery_of` set; the event id and body are the same), whatever the subscription’s status',
  request: { params },
  responses: {
    202: { description: 'The new delivery, queued', content: { 'application/json': { schema: deliverySchema, example: { ...deliveryExample, id: 'dlv_8cQw1eRt5yUi9oPa3sDf7g', kind: 'redelivery', redelivery_of: 'dlv_3kVn0pQ8sLm2XcYb7aZ1Rt', status: 'pending', attempts: [], attempt_count: 0, delivered_at: null } } } },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function registerRedeliver(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(redeliverRoute, async (c) => {
    const { id, delivery_id } = c.req.valid('param');
    return c.json(toDelivery(await deps.service.redeliver(c.get('auth').orgId, id, delivery_id)), 202);
  });
}
