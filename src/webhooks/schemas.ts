import { z } from '@hono/zod-openapi';
import { EVENT_TYPES } from '../platform/events/types.js';
import { listEnvelopeSchema } from '../platform/http/pagination.js';
import { eventBodySchema, VERIFICATION_EVENT } from './event-docs.js';
import { DELIVERY_KINDS, DELIVERY_STATUSES, DISABLED_REASONS, SUBSCRIPTION_STATUSES, type DeliveryDoc, type SubscriptionDoc } from './models.js';

const iso = () => z.string().openapi({ format: 'date-time' });

/** Longest overlap of a rotated secret with the new one: 7 days. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;
export const DEFAULT_OVERLAP_SECONDS = 86_400;

export const eventTypeSchema = z.enum(EVENT_TYPES);
// An unknown type is a refused value (422); "*" alone means every type.
const eventsSchema = z
  .array(z.enum([...EVENT_TYPES, '*']))
  .min(1)
  .max(EVENT_TYPES.length + 1)
  .openapi({ description: 'Event types to receive, or `["*"]` for all of them (an unknown type is refused with 422)', example: ['ticket.created', 'ticket.closed'] });

const urlSchema = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .openapi({
    description:
      'Where events are POSTed: https, and not an address on a loopback, private, link-local, unique-local or CGNAT network (422) unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is set, which also allows plain http to such addresses',
    example: 'https://n8n.example.com/webhook/puente',
  });

export const createSubscriptionSchema = z
  .object({ url: urlSchema, events: eventsSchema, description: z.string().trim().max(500).optional().openapi({ example: 'n8n: tickets to Slack' }) })
  .openapi('CreateWebhook');

export const updateSubscriptionSchema = z
  .object({
    url: urlSchema.optional(),
    events: eventsSchema.optional(),
    description: z.string().trim().max(500).nullable().optional().openapi({ description: 'null clears it' }),
    status: z.enum(['active', 'paused']).optional().openapi({
      description: '`paused` stops deliveries of an active subscription; `active` resumes a paused one, or verifies a pending or disabled one again',
    }),
    rotate_secret: z.boolean().optional().openapi({ description: 'Issue a new secret (returned once, in this answer); the old one keeps signing beside it for `overlap_seconds`' }),
    overlap_seconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).optional().openapi({ description: 'With rotate_secret: how long the old secret still signs (default 86400, at most 7 days)', example: 86_400 }),
  })
  .refine((body) => body.overlap_seconds === undefined || body.rotate_secret === true, { message: 'overlap_seconds needs rotate_secret: true', path: ['overlap_seconds'] })
  .openapi('UpdateWebhook');

export const subscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(SUBSCRIPTION_STATUSES).openapi({ description: 'pending_verification until the endpoint echoes the challenge; disabled by Puente after a 410 or 3 days of failures' }),
    disabled_reason: z.enum(DISABLED_REASONS).nullable(),
    disabled_at: iso().nullable(),
    verified_at: iso().nullable(),
    failing_since: iso().nullable().openapi({ description: 'Start of the current run of failed attempts (3 days of it disable the subscription)' }),
    previous_secret_expires_at: iso().nullable().openapi({ description: 'While a rotated secret still signs beside the new one: until when' }),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Webhook');
export type SubscriptionJson = z.infer<typeof subscriptionSchema>;

export const subscriptionWithSecretSchema = subscriptionSchema
  .extend({ secret: z.string().openapi({ description: 'The signing secret: shown only in this answer. Keep it; Puente never shows it again.', example: 'whsec_q3Vt…' }) })
  .openapi('WebhookWithSecret');

export const updatedSubscriptionSchema = subscriptionSchema
  .extend({ secret: z.string().optional().openapi({ description: 'The new signing secret, only when rotate_secret was asked for' }) })
  .openapi('UpdatedWebhook');

export const subscriptionListSchema = listEnvelopeSchema(subscriptionSchema, 'WebhookList');

const attemptSchema = z
  .object({
    at: iso(),
    duration_ms: z.number().int(),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    response_body: z.string().nullable().openapi({ description: 'The first 1 KiB of the answer' }),
  })
  .openapi('WebhookDeliveryAttempt');

export const deliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Sent as X-Puente-Delivery (the same on every retry)' }),
    subscription_id: z.string(),
    event: z.string(),
    event_id: z.string(),
    kind: z.enum(DELIVERY_KINDS),
    status: z.enum(DELIVERY_STATUSES),
    attempt_count: z.number().int(),
    attempts: z.array(attemptSchema),
    next_attempt_at: iso().nullable(),
    delivered_at: iso().nullable(),
    failure_reason: z.string().nullable(),
    redelivery_of: z.string().nullable(),
    payload: eventBodySchema.openapi({ description: 'The body sent (one of the WebhookEvent.* schemas)' }),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('WebhookDelivery');
export type DeliveryJson = z.infer<typeof deliverySchema>;

export const deliveryListSchema = listEnvelopeSchema(deliverySchema, 'WebhookDeliveryList');

export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export const deliveryEventSchema = z.enum([...EVENT_TYPES, VERIFICATION_EVENT]);

export const idParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'whk_Tz8kQ2mW5nB0xLcV' }) });

const isoOrNull = (d: Date | undefined | null) => (d ? new Date(d).toISOString() : null);

export function toSubscription(doc: SubscriptionDoc): SubscriptionJson {
  const previous = doc.secrets?.[1];
  return {
    id: doc._id,
    url: doc.url,
    events: doc.events,
    description: doc.description ?? null,
    status: doc.status,
    disabled_reason: doc.disabled_reason ?? null,
    disabled_at: isoOrNull(doc.disabled_at),
    verified_at: isoOrNull(doc.verified_at),
    failing_since: isoOrNull(doc.failing_since),
    previous_secret_expires_at: isoOrNull(previous?.expires_at),
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

/** A delivery's first KiB of answer (by bytes of UTF-8, not cutting a character). */
export function firstKiB(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 1024) return text;
  return bytes.subarray(0, 1024).toString('utf8').replace(/\uFFFD$/, '');
}

export function toDelivery(doc: DeliveryDoc): DeliveryJson {
  return {
    id: doc._id,
    subscription_id: doc.subscription_id,
    event: doc.event,
    event_id: doc.event_id,
    kind: doc.kind,
    status: doc.status,
    attempt_count: doc.attempt_count ?? 0,
    attempts: (doc.attempts ?? []).map((a) => ({
      at: new Date(a.at).toISOString(),
      duration_ms: a.duration_ms,
      status_code: a.status_code ?? null,
      error: a.error ?? null,
      response_body: a.response_body ?? null,
    })),
    next_attempt_at: isoOrNull(doc.next_attempt_at),
    delivered_at: isoOrNull(doc.delivered_at),
    failure_reason: doc.failure_reason ?? null,
    redelivery_of: doc.redelivery_of ?? null,
    payload: JSON.parse(doc.body) as DeliveryJson['payload'],
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

export const subscriptionExample: SubscriptionJson = {
  id: 'whk_Tz8kQ2mW5nB0xLcV',
  url: 'https://n8n.example.com/webhook/puente',
  events: ['ticket.created', 'ticket.closed'],
  description: 'n8n: tickets to Slack',
  status: 'active',
  disabled_reason: null,
  disabled_at: null,
  verified_at: '2026-01-15T14:00:02.000Z',
  failing_since: null,
  previous_secret_expires_at: null,
  created_at: '2026-01-15T14:00:00.000Z',
  updated_at: '2026-01-15T14:00:02.000Z',
};

export const deliveryExample: DeliveryJson = {
  id: 'dlv_3kVn0pQ8sLm2XcYb7aZ1Rt',
  subscription_id: 'whk_Tz8kQ2mW5nB0xLcV',
  event: 'ticket.created',
  event_id: 'evt_Yc2Lr8Kq0WmN4dFz',
  kind: 'event',
  status: 'delivered',
  attempt_count: 2,
  attempts: [
    { at: '2026-01-15T14:03:00.210Z', duration_ms: 10_000, status_code: null, error: 'timed out after 10000 ms', response_body: null },
    { at: '2026-01-15T14:03:14.032Z', duration_ms: 84, status_code: 200, error: null, response_body: 'ok' },
  ],
  next_attempt_at: null,
  delivered_at: '2026-01-15T14:03:14.116Z',
  failure_reason: null,
  redelivery_of: null,
  payload: { id: 'evt_Yc2Lr8Kq0WmN4dFz', event: 'ticket.created', timestamp: '2026-01-15T14:03:00.000Z', org_id: 'org_k2Jd9sLq0PzX7vBn', data: { ticket: { ticket_id: 'TK-2026-000042' } } },
  created_at: '2026-01-15T14:03:00.150Z',
  updated_at: '2026-01-15T14:03:14.116Z',
};
