/**
 * The {@link EventSink}: where recorded events enter the webhooks module. `publish` makes one
 * delivery per (event, active subscription that wants its type) — the delivery id is derived from
 * the pair, so an event handed over twice makes one delivery, stored once and queued once — and
 * queues each on its (subscription, resource) lane. `wants` answers from the same few-seconds
 * cache of the organization's active subscriptions.
 */
import type { EventSink, EventType, PuenteEvent } from '../platform/events/types.js';
import type { Mailbox } from '../../queues/mailbox.js';
import type { SubscriptionCache } from './cache.js';
import { deliveryIdFor } from './ids.js';
import type { DeliveryDoc, SubscriptionDoc } from './models.js';
import { eventBody, newDelivery, pushRequest, type DeliveryItem } from './queueing.js';
import type { DeliveryStore } from './store.js';

const wantsType = (sub: Pick<SubscriptionDoc, 'events'>, type: string) => sub.events.includes('*') || sub.events.includes(type);

export function createEventSink(deps: { cache: SubscriptionCache; deliveries: DeliveryStore; mailbox: Mailbox<DeliveryItem>; now: () => Date }): EventSink {
  /**
   * Pushes are issued in the order `publish` was called, whatever order the calls' preparations
   * (subscription lookups, delivery inserts) finish in: each call waits for the previous call's
   * push to be sent before sending its own. Commands on one Redis connection run in the order
   * sent, so the events of a resource published one call after another land in its lanes in that
   * order, even when the calls overlap.
   */
  let turn: Promise<void> = Promise.resolve();

  async function prepare(events: readonly PuenteEvent[]): Promise<DeliveryDoc[]> {
    const orgs = [...new Set(events.map((e) => e.org_id))];
    const subsByOrg = new Map(await Promise.all(orgs.map(async (org) => [org, await deps.cache.active(org)] as const)));
    const now = deps.now();
    const docs: DeliveryDoc[] = [];
    for (const recorded of events) {
      const subs = (subsByOrg.get(recorded.org_id) ?? []).filter((sub) => wantsType(sub, recorded.type));
      if (subs.length === 0) continue;
      // An event read back from a document may carry its time as a string.
      const event = recorded.occurred_at instanceof Date ? recorded : { ...recorded, occurred_at: new Date(recorded.occurred_at) };
      const body = eventBody(event);
      for (const sub of subs) {
        docs.push(
          newDelivery(
            { _id: deliveryIdFor(event.id, sub._id), org_id: event.org_id, subscription_id: sub._id, event_id: event.id, event: event.type, kind: 'event', body, occurred_at: event.occurred_at, resource: event.resource },
            now,
          ),
        );
      }
    }
    await deps.deliveries.insertMany(docs);
    return docs;
  }

  return {
    async publish(events) {
      if (events.length === 0) return;
      const prepared = prepare(events);
      // Its failure is awaited below, after the previous call's turn; meanwhile it is not "unhandled".
      void prepared.catch(() => undefined);
      const previous = turn;
      let sent!: () => void;
      turn = new Promise<void>((resolve) => (sent = resolve));
      try {
        await previous;
        const docs = await prepared;
        const pushed = docs.length > 0 ? deps.mailbox.push(docs.map((doc) => pushRequest(doc))) : Promise.resolve([]);
        sent();
        await pushed;
      } finally {
        sent();
      }
    },
    async wants(orgId: string, type: EventType) {
      return (await deps.cache.active(orgId)).some((sub) => wantsType(sub, type));
    },
  };
}
