import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { AppError } from '../../src/platform/http/errors.js';
import { errorResponses } from '../../src/platform/http/openapi-errors.js';
import type { RouteGroup } from '../../src/platform/http/route-group.js';
import type { AppEnv } from '../../src/platform/http/types.js';
import { pushToLane, ticketFor, type CrmRouteDeps } from './context.js';
import { crmSuccessSchema, ticketIdSchema, userPhoneSchema } from './schemas.js';

export const handoverBodySchema = z
  .object({
    ticketId: ticketIdSchema,
    userPhone: userPhoneSchema,
    agentId: z.string().min(1),
    /** Required to announce the agent (bot_to_human); optional when giving the conversation back. */
    agentName: z.string().min(1).max(80).optional(),
    handoverType: z.enum(['bot_to_human', 'human_to_bot']),
    metadata: z.looseObject({ serviceSuspended: z.boolean().optional(), priority: z.string().optional(), category: z.string().optional() }).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.handoverType === 'bot_to_human' && !body.agentName) ctx.addIssue({ code: 'custom', path: ['agentName'], message: 'required for bot_to_human' });
  })
  .openapi('HandoverRequest');
export type HandoverBody = z.infer<typeof handoverBodySchema>;

export const handoverRoute = createRoute({
  method: 'post',
  path: '/api/crm/handover',
  summary: 'The CRM assigns an agent (bot_to_human) or gives the conversation back to the bot (human_to_bot)',
  request: { body: { required: true, content: { 'application/json': { schema: handoverBodySchema } } } },
  responses: {
    200: { description: 'Processed (repeating the same call is harmless)', content: { 'application/json': { schema: crmSuccessSchema } } },
    ...errorResponses(400, 401, 404, 409, 503),
  },
});

/**
 * Applies the change to the ticket at once (so the answer is exact) and lets the user's lane tell
 * the user, in order with everything else in that conversation.
 */
export function handleHandover(deps: CrmRouteDeps): RouteHandler<typeof handoverRoute, AppEnv> {
  return async (c) => {
    const body = c.req.valid('json');
    const ticket = await ticketFor(deps, body.ticketId, body.userPhone);
    const now = new Date();
    if (body.handoverType === 'bot_to_human') {
      const result = await deps.tickets.activate(ticket.ticketId, { id: body.agentId, name: body.agentName ?? body.agentId, via: 'crm' }, now);
      if ('error' in result) throw new AppError('TICKET_CLOSED', `Ticket ${ticket.ticketId} is closed`);
      if (result.changed && !ticket.assignedAt) deps.metrics.timeToAssignment.observe((now.getTime() - ticket.startTime.getTime()) / 1000);
      await pushToLane(deps, ticket, { id: `${ticket.ticketId}.joined.${body.agentId}`, kind: 'agent_joined', ticketId: ticket.ticketId, agentName: body.agentName ?? body.agentId });
    } else {
      if (ticket.status === 'closed' && ticket.closeReason !== 'agent_resolved') {
        throw new AppError('TICKET_CLOSED', `Ticket ${ticket.ticketId} was already closed (${ticket.closeReason})`);
      }
      await deps.tickets.close(ticket.ticketId, 'agent_resolved', now);
      await pushToLane(deps, ticket, { id: `${ticket.ticketId}.closed`, kind: 'handover_closed', ticketId: ticket.ticketId, reason: 'agent_resolved' });
    }
    return c.json({ success: true as const, message: 'Handover processed successfully', ticketId: ticket.ticketId }, 200);
  };
}

export function registerHandover(group: RouteGroup, deps: CrmRouteDeps): void {
  group.openapi(handoverRoute, handleHandover(deps));
}
