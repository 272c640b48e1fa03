import { createHash, randomUUID } from 'node:crypto';
import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { isServiceWindowOpen } from '../../src/conversations/service-window.js';
import { AppError } from '../../src/platform/http/errors.js';
import { errorResponses } from '../../src/platform/http/openapi-errors.js';
import type { RouteGroup } from '../../src/platform/http/route-group.js';
import type { AppEnv } from '../../src/platform/http/types.js';
import { MessageLimitError } from '../../src/whatsapp/limits.js';
import { agentMessageField, agentMessageOf } from '../agent-message.js';
import { pushToLane, ticketFor, type CrmRouteDeps } from './context.js';
import { crmSuccessSchema, ticketIdSchema, userPhoneSchema } from './schemas.js';

export const sendMessageBodySchema = z
  .object({
    ticketId: ticketIdSchema,
    userPhone: userPhoneSchema,
    agentId: z.string().min(1),
    /** The text, or for image/document a public https URL of the file. */
    message: z.string().min(1).max(4096),
    messageType: z.enum(['text', 'image', 'document']),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    caption: z.string().max(1024).optional(),
    filename: z.string().max(240).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.messageType !== 'text' && !/^https:\/\/\S+$/.test(body.message)) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'must be a public https URL for image and document messages' });
    }
  })
  .openapi('SendMessageRequest');

export const sendMessageRoute = createRoute({
  method: 'post',
  path: '/api/crm/send-message',
  summary: "Relays an agent's message to the user, in the order the CRM sent them",
  description: 'Send an `Idempotency-Key` header to make retries of the same message safe.',
  request: {
    headers: z.object({ 'idempotency-key': z.string().max(200).optional() }),
    body: { required: true, content: { 'application/json': { schema: sendMessageBodySchema } } },
  },
  responses: {
    200: { description: 'Queued for delivery; its status shows in the ticket messages', content: { 'application/json': { schema: crmSuccessSchema.extend({ messageId: z.string() }) } } },
    ...errorResponses(400, 401, 404, 409, 503),
  },
});

export function handleSendMessage(deps: CrmRouteDeps): RouteHandler<typeof sendMessageRoute, AppEnv> {
  return async (c) => {
    const body = c.req.valid('json');
    try {
      // The lane builds this same message to send it: what the builders refuse could never be sent.
      agentMessageOf(body.userPhone.replace(/^\+/, ''), body);
    } catch (err) {
      if (!(err instanceof MessageLimitError)) throw err;
      throw new AppError('VALIDATION_ERROR', 'The message can never be sent to WhatsApp', [{ path: agentMessageField(err.field), message: err.message }]);
    }
    const ticket = await ticketFor(deps, body.ticketId, body.userPhone);
    if (ticket.status !== 'active') throw new AppError('TICKET_NOT_ACTIVE', `Ticket ${ticket.ticketId} is ${ticket.status}, not active`);
    if (!(await isServiceWindowOpen(deps.redis, deps.keyPrefix, ticket.conversationKey))) {
      throw new AppError('CUSTOMER_SERVICE_WINDOW_CLOSED', 'The user wrote over 24 hours ago: only an approved template can be sent now');
    }
    const key = c.req.header('idempotency-key');
    const messageId = key ? `agm-${createHash('sha256').update(`${ticket.ticketId}:${key}`).digest('hex').slice(0, 24)}` : `agm-${randomUUID()}`;
    await pushToLane(deps, ticket, {
      id: messageId,
      kind: 'agent_message',
      ticketId: ticket.ticketId,
      agentId: body.agentId,
      messageType: body.messageType,
      message: body.message,
      ...(body.caption ? { caption: body.caption } : {}),
      ...(body.filename ? { filename: body.filename } : {}),
      receivedAt: Date.now(),
    });
    return c.json({ success: true as const, message: 'Message sent successfully', ticketId: ticket.ticketId, messageId }, 200);
  };
}

export function registerSendMessage(group: RouteGroup, deps: CrmRouteDeps): void {
  group.openapi(sendMessageRoute, handleSendMessage(deps));
}
