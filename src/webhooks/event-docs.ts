/**
 * The event bodies in the OpenAPI document. Puente's document is OpenAPI 3.0.3, which has no
 * top-level `webhooks` section (3.1 does, and zod-to-openapi's `registerWebhook` only shows there),
 * and a module reaches the document only through its routes. So each body is a described schema
 * component, `WebhookEvent.<type>` (referenced by a delivery's `payload`), and the create
 * operation lists them as OpenAPI 3.0 `callbacks`: one POST to `{$request.body#/url}` per type,
 * with the signature headers.
 */
import { z } from '@hono/zod-openapi';
import { EVENT_DATA } from '../platform/events/catalog.js';
import { EVENT_TYPES, type EventType } from '../platform/events/types.js';
import { EVENT_SAMPLES } from './samples.js';

export const VERIFICATION_EVENT = 'webhook.verification';

const DESCRIPTIONS: Record<EventType, string> = {
  'ticket.created': 'A handover ticket was opened (pending until an agent takes it).',
  'ticket.updated': 'A ticket was assigned, transferred or escalated (`change` says which).',
  'ticket.closed': 'A ticket was closed (`ticket.close_reason` says why).',
  'ticket.message.added': 'A message was added to a ticket’s conversation (user, agent or system).',
  'lead.created': 'A lead was created.',
  'lead.updated': 'A lead’s fields changed (`changed` names them), e.g. its score or qualification.',
  'lead.converted': 'A lead became a customer.',
  'lead.stage.changed': 'A lead moved to another pipeline stage.',
  'conversation.started': 'A WhatsApp user started a conversation with a business number: their first message while none was open (the first ever, or the first after the previous one ended). Recorded with that message, before its `conversation.message.received`.',
  'conversation.message.received': 'A WhatsApp user’s message was received.',
  'conversation.message.sent': 'Puente (the bot or an agent) sent a message in a conversation.',
  'conversation.ended': 'A conversation ended: `reason` `user_left` (the user wrote "salir" to the bot) or `idle` (no message from the user for `SESSION_TTL_SECONDS`, 30 minutes by default, and no handover ticket open). One per `conversation.started`, with the same `conversation.id`.',
  'contact.created': 'A contact was created (API, import, or a WhatsApp user writing in).',
  'contact.enrolled': 'A contact was enrolled in a campaign.',
  'contact.converted': 'A contact converted in a campaign.',
  'contact.unsubscribed': 'A contact withdrew consent.',
  'campaign.started': 'A campaign started sending.',
  'campaign.paused': 'A campaign was paused (`reason` says why).',
  'campaign.completed': 'A campaign finished.',
  'message.sent': 'WhatsApp accepted a message Puente sent.',
  'message.delivered': 'A message reached the user’s phone.',
  'message.read': 'The user read a message.',
  'message.failed': 'A message could not be delivered (`error` has WhatsApp’s code).',
};

const iso = () => z.string().openapi({ format: 'date-time' });
const envelope = (event: string, data: z.ZodType) =>
  z.object({
    id: z.string().openapi({ description: 'The event’s id (`evt_…`): the same on every retry and redelivery; deduplicate on it', example: 'evt_Yc2Lr8Kq0WmN4dFz' }),
    event: z.literal(event),
    timestamp: iso().openapi({ description: 'When it happened (ISO 8601 UTC)' }),
    org_id: z.string().openapi({ example: 'org_k2Jd9sLq0PzX7vBn' }),
    data,
  });

export const componentName = (event: string) => `WebhookEvent.${event}`;

/** One body schema per event type, named `WebhookEvent.<type>` in the document. */
export const EVENT_BODY_SCHEMAS: Record<EventType, z.ZodType> = Object.fromEntries(
  EVENT_TYPES.map((type) => [
    type,
    envelope(type, EVENT_DATA[type]).openapi(componentName(type), {
      description: DESCRIPTIONS[type],
      example: { id: 'evt_Yc2Lr8Kq0WmN4dFz', event: type, timestamp: '2026-01-15T14:03:00.000Z', org_id: 'org_k2Jd9sLq0PzX7vBn', data: EVENT_SAMPLES[type] },
    }),
  ]),
) as unknown as Record<EventType, z.ZodType>;

export const VERIFICATION_BODY_SCHEMA = envelope(
  VERIFICATION_EVENT,
  z.object({ challenge: z.string().openapi({ description: 'Answer 2xx with this as the body (plain text, or JSON `{"challenge": "…"}`)' }) }),
).openapi(componentName(VERIFICATION_EVENT), {
  description: 'Sent when a subscription is created, its url changes or it is set active again: the endpoint proves it is the subscriber’s by echoing `data.challenge`.',
});

/** Any body Puente sends: what a delivery's `payload` is. */
export const eventBodySchema = z.union([VERIFICATION_BODY_SCHEMA, ...EVENT_TYPES.map((type) => EVENT_BODY_SCHEMAS[type])] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);

const header = (name: string, description: string, example: string) => ({ name, in: 'header' as const, required: true, description, schema: { type: 'string' as const, example } });
const DELIVERY_HEADERS = [
  header('X-Puente-Event', 'The event type', 'ticket.created'),
  header('X-Puente-Delivery', 'The delivery id: the same on every retry of this delivery (a redelivery has a new one)', 'dlv_3kVn0pQ8sLm2XcYb7aZ1Rt'),
  header(
    'X-Puente-Signature',
    '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription secret>`; two `v1=` (new secret first) while a rotated secret overlaps. Refuse timestamps older than 5 minutes.',
    't=1767225600,v1=5f1c…',
  ),
  header('User-Agent', '`Puente/<version>`', 'Puente/0.1.0'),
];

const callback = (event: string, description: string) => ({
  '{$request.body#/url}': {
    post: {
      summary: `${event}`,
      description,
      parameters: DELIVERY_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${componentName(event)}` } } } },
      responses: {
        '2XX': { description: 'Received (for the verification: the challenge as the body). Anything else is retried with backoff for 24 h.' },
        '410': { description: 'Gone: Puente disables the subscription at once' },
      },
    },
  },
});

/** The `callbacks` of the create operation: what Puente will POST to the subscription's url. */
export const EVENT_CALLBACKS = Object.fromEntries([
  [VERIFICATION_EVENT, callback(VERIFICATION_EVENT, 'The verification challenge')],
  ...EVENT_TYPES.map((type) => [type, callback(type, DESCRIPTIONS[type])]),
]);
