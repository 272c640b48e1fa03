import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../src/platform/http/openapi-errors.js';
import type { RouteGroup } from '../../src/platform/http/route-group.js';
import { ticketFor, type CrmRouteDeps } from './context.js';
import { ticketIdSchema } from './schemas.js';

const messageSchema = z.object({
  direction: z.enum(['inbound', 'outbound']),
  author: z.enum(['user', 'bot', 'agent', 'system']),
  type: z.string(),
  text: z.string().optional(),
  media: z.object({ id: z.string().optional(), link: z.string().optional(), mimeType: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() }).optional(),
  wamid: z.string().optional(),
  outboundId: z.string().optional(),
  status: z.string(),
  statusHistory: z.array(z.object({ status: z.string(), at: z.string() })),
  error: z.object({ code: z.union([z.string(), z.number()]), title: z.string().optional(), message: z.string().optional() }).optional(),
  at: z.string(),
});

export const ticketMessagesRoute = createRoute({
  method: 'get',
  path: '/api/crm/tickets/{ticketId}/messages',
  summary: "The ticket's conversation (user, bot and agent), oldest first, with delivery status",
  request: {
    params: z.object({ ticketId: ticketIdSchema }),
    query: z.object({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(200).default(50) }),
  },
  responses: {
    200: {
      description: 'One page of messages',
      content: { 'application/json': { schema: z.object({ ticketId: z.string(), page: z.number(), limit: z.number(), total: z.number(), messages: z.array(messageSchema) }) } },
    },
    ...errorResponses(400, 401, 404),
  },
});

export function registerTicketMessages(group: RouteGroup, deps: CrmRouteDeps): void {
  group.openapi(ticketMessagesRoute, async (c) => {
    const t = await ticketFor(deps, c.req.valid('param').ticketId);
    const { page, limit } = c.req.valid('query');
    const filter = { ticketId: t.ticketId };
    const [total, docs] = await Promise.all([
      deps.log.model.countDocuments(filter),
      deps.log.model.find(filter).sort({ at: 1, _id: 1 }).skip((page - 1) * limit).limit(limit).lean(),
    ]);
    const messages = docs.map((m) => ({
      direction: m.direction,
      author: m.author,
      type: m.type,
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.media ? { media: m.media } : {}),
      ...(m.wamid ? { wamid: m.wamid } : {}),
      ...(m.outboundId ? { outboundId: m.outboundId } : {}),
      status: m.status,
      statusHistory: m.statusHistory.map((h) => ({ status: h.status, at: h.at.toISOString() })),
      ...(m.error ? { error: m.error } : {}),
      at: m.at.toISOString(),
    }));
    return c.json({ ticketId: t.ticketId, page, limit, total, messages }, 200);
  });
}
