import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { deliveryEventSchema, deliveryExample, deliveryListSchema, deliveryStatusSchema, idParam, toDelivery } from '../schemas.js';
import type { WebhookRouteDeps } from './context.js';

const param = (name: string, description: string) => ({ param: { name, in: 'query' as const, description } });
const query = paginationQuerySchema.extend({
  status: deliveryStatusSchema.optional().openapi({ ...param('status', 'pending, delivered or failed'), example: 'failed' }),
  event: deliveryEventSchema.optional().openapi({ ...param('event', 'An event type (or webhook.verification)'), example: 'ticket.created' }),
  since: z.iso.datetime({ offset: true }).optional().openapi({ ...param('since', 'Created at or after (ISO 8601)'), example: '2026-01-15T00:00:00Z' }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ ...param('until', 'Created before (ISO 8601)'), example: '2026-01-16T00:00:00Z' }),
});

export const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/api/v1/webhooks/{id}/deliveries',
  summary: 'The subscription’s delivery log, newest first: every attempt (time, duration, status or error, first 1 KiB of the answer); kept 30 days',
  request: { params: idParam, query },
  responses: {
    200: { description: 'A page of deliveries', content: { 'application/json': { schema: deliveryListSchema, example: { data: [deliveryExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerListDeliveries(group: RouteGroup, deps: WebhookRouteDeps): void {
  group.openapi(listDeliveriesRoute, async (c) => {
    const { orgId } = c.get('auth');
    const sub = await deps.service.get(orgId, c.req.valid('param').id);
    const { skip, limit, status, event, since, until } = c.req.valid('query');
    const page = { skip, limit };
    const { data, total } = await deps.deliveries.list(orgId, sub._id, { status, event, since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined }, page);
    return c.json(listEnvelope(data.map(toDelivery), total, page), 200);
  });
}
