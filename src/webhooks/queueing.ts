/**
 * Deliveries on the mailbox lanes. A lane is (subscription, resource): the deliveries of one
 * resource's events reach one subscription in the order the events happened, one at a time, while
 * other resources and other subscriptions proceed in parallel. A delivery's item carries what the
 * worker needs to send it (the exact body), so sending reads no document; the delivery document
 * in MongoDB is the log.
 */
import type { EventResource } from '../platform/events/types.js';
import type { Mailbox, PushRequest } from '../../queues/mailbox.js';
import type { DeliveryDoc, DeliveryKind } from './models.js';
import type { DeliveryStore } from './store.js';

export interface DeliveryItem {
  /** The delivery id (X-Puente-Delivery). */
  id: string;
  k: DeliveryKind;
  /** Subscription id. */
  s: string;
  /** Event type. */
  e: string;
  /** The exact body to send. */
  b: string;
  /** When the event happened (ms): latency. */
  t: number;
  /** When the delivery was queued (ms). */
  q: number;
  /** The verification's challenge. */
  ch?: string;
}

/** How long pushing the same delivery id again is a no-op (an event handed over twice). */
const DEDUPE_TTL_SECONDS = 7 * 86_400;

export function laneFor(subscriptionId: string, kind: DeliveryKind, resource: EventResource | undefined): string {
  if (kind === 'verification') return `${subscriptionId}|verification`;
  return resource ? `${subscriptionId}|${resource.type}:${resource.id}` : `${subscriptionId}|test`;
}

export function pushRequest(doc: DeliveryDoc, challenge?: string): PushRequest<DeliveryItem> {
  return {
    lane: laneFor(doc.subscription_id, doc.kind, doc.resource),
    item: { id: doc._id, k: doc.kind, s: doc.subscription_id, e: doc.event, b: doc.body, t: doc.occurred_at.getTime(), q: doc.created_at.getTime(), ...(challenge ? { ch: challenge } : {}) },
    dedupeKey: doc._id,
    dedupeTtlSeconds: DEDUPE_TTL_SECONDS,
  };
}

/** Stores deliveries (the log), then queues them. */
export async function enqueue(deliveries: DeliveryStore, mailbox: Mailbox<DeliveryItem>, docs: DeliveryDoc[], challenge?: string): Promise<void> {
  await deliveries.insertMany(docs);
  await mailbox.push(docs.map((doc) => pushRequest(doc, challenge)));
}

/** The JSON body of a delivery: `{ id, event, timestamp, org_id, data }`. */
export function eventBody(event: { id: string; type: string; occurred_at: Date; org_id: string; data: unknown }): string {
  return JSON.stringify({ id: event.id, event: event.type, timestamp: event.occurred_at.toISOString(), org_id: event.org_id, data: event.data });
}

/** A new delivery document (status pending, no attempts). */
export function newDelivery(fields: Pick<DeliveryDoc, '_id' | 'org_id' | 'subscription_id' | 'event_id' | 'event' | 'kind' | 'body' | 'occurred_at'> & Partial<Pick<DeliveryDoc, 'resource' | 'redelivery_of'>>, now: Date): DeliveryDoc {
  return { ...fields, status: 'pending', attempts: [], attempt_count: 0, created_at: now, updated_at: now };
}
