import { createHash, randomBytes } from 'node:crypto';

/** An opaque id: `prefix` and 16 base64url characters (96 random bits). */
export function newId(prefix: 'whk' | 'dlv' | 'evt'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/**
 * The id of the delivery of event `eventId` to subscription `subscriptionId`: the same pair always
 * gives the same id, so handing the same event over twice creates (and queues) one delivery.
 */
export function deliveryIdFor(eventId: string, subscriptionId: string): string {
  return `dlv_${createHash('sha256').update(`${eventId}|${subscriptionId}`).digest('base64url').slice(0, 22)}`;
}
