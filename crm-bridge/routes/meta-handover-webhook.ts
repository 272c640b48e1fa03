import { z } from '@hono/zod-openapi';
import { AppError } from '../../src/platform/http/errors.js';
import { errorResponses } from '../../src/platform/http/openapi-errors.js';
import type { RouteGroup } from '../../src/platform/http/route-group.js';
import { parseSignedJson } from '../../src/whatsapp/webhook-auth.js';
import { pushToLane, type CrmRouteDeps } from './context.js';

const threadControlChange = z.object({
  field: z.string(),
  value: z.looseObject({
    event: z.string(),
    thread_control: z.looseObject({ app_id: z.string().optional(), metadata: z.string().optional() }).optional(),
  }),
});
const payloadSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ id: z.string().optional(), changes: z.array(threadControlChange) })).min(1),
});

/** Meta's messaging_handovers events that give the conversation back to the bot. */
const RETURN_EVENTS = new Set(['release_thread_control', 'take_thread_control']);

function ticketIdOf(metadata: string | undefined): string | undefined {
  if (!metadata) return undefined;
  try {
    const parsed = JSON.parse(metadata) as { ticket_id?: unknown };
    return typeof parsed.ticket_id === 'string' ? parsed.ticket_id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Meta's thread-control webhook (docs/crm-contract.md): `pass_thread_control` with the ticket id in the
 * JSON-string `metadata` assigns the ticket to the CRM's Meta app; a release or take-back returns
 * the conversation to the bot. It is in the `meta` route group, which checks Meta's signature
 * like /webhook's; unknown tickets are logged and acknowledged so Meta does not re-deliver them
 * for days.
 */
export function registerMetaHandoverWebhook(group: RouteGroup, deps: CrmRouteDeps): void {
  group.raw(
    {
      method: 'post',
      path: '/api/crm/meta-handover-webhook',
      summary: "Meta's thread-control (messaging_handovers) webhook, signed with X-Hub-Signature-256",
      request: { body: { content: { 'application/json': { schema: payloadSchema } } } },
      responses: { 200: { description: 'Applied', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), applied: z.number() }) } } }, ...errorResponses(400, 401, 503) },
    },
    async (c) => {
      const parsed = payloadSchema.safeParse(parseSignedJson(c.get('rawBody')));
      if (!parsed.success) {
        throw new AppError('VALIDATION_ERROR', 'Not a thread-control webhook', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
      const logger = c.get('logger');
      let applied = 0;
      for (const change of parsed.data.entry.flatMap((e) => e.changes)) {
        const { event, thread_control: control } = change.value;
        const ticketId = ticketIdOf(control?.metadata);
        const ticket = ticketId ? await deps.tickets.findById(ticketId) : null;
        if (!ticket) {
          logger.warn({ event, ticketId }, 'thread-control event for no known ticket; ignored');
          continue;
        }
        const now = new Date();
        if (event === 'pass_thread_control') {
          const appId = deps.config.CRM_META_APP_ID ?? control?.app_id ?? 'meta';
          const result = await deps.tickets.activate(ticket.ticketId, { id: appId, name: 'Un asesor', via: 'meta' }, now);
          if ('error' in result) continue;
          await pushToLane(deps, ticket, { id: `${ticket.ticketId}.joined.${appId}`, kind: 'agent_joined', ticketId: ticket.ticketId, agentName: 'Un asesor' });
          applied++;
        } else if (RETURN_EVENTS.has(event)) {
          const result = await deps.tickets.close(ticket.ticketId, 'agent_resolved', now);
          if ('error' in result) continue;
          await pushToLane(deps, ticket, { id: `${ticket.ticketId}.closed`, kind: 'handover_closed', ticketId: ticket.ticketId, reason: 'agent_resolved' });
          applied++;
        }
      }
      return c.json({ status: 'ok' as const, applied }, 200);
    },
  );
}
