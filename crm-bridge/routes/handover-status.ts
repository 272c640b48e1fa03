import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../src/platform/http/openapi-errors.js';
import type { RouteGroup } from '../../src/platform/http/route-group.js';
import { ticketFor, type CrmRouteDeps } from './context.js';
import { ticketIdSchema } from './schemas.js';

export const handoverStatusSchema = z
  .object({
    ticketId: z.string(),
    status: z.enum(['pending', 'active', 'closed']),
    assignedAgent: z.object({ id: z.string(), name: z.string() }).nullable(),
    startTime: z.string(),
    lastActivity: z.string(),
    messageCount: z.number(),
  })
  .openapi('HandoverStatus');

export const handoverStatusRoute = createRoute({
  method: 'get',
  path: '/api/crm/handover-status/{ticketId}',
  summary: 'State of a handover ticket (the body of docs/crm-contract.md)',
  request: { params: z.object({ ticketId: ticketIdSchema }) },
  responses: { 200: { description: 'The ticket', content: { 'application/json': { schema: handoverStatusSchema } } }, ...errorResponses(400, 401, 404) },
});

export function registerHandoverStatus(group: RouteGroup, deps: CrmRouteDeps): void {
  group.openapi(handoverStatusRoute, async (c) => {
    const t = await ticketFor(deps, c.req.valid('param').ticketId);
    return c.json(
      {
        ticketId: t.ticketId,
        status: t.status,
        assignedAgent: t.assignedAgent ? { id: t.assignedAgent.id, name: t.assignedAgent.name } : null,
        startTime: t.startTime.toISOString(),
        lastActivity: t.lastActivity.toISOString(),
        messageCount: t.messageCount,
      },
      200,
    );
  });
}
