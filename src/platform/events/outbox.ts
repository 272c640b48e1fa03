/**
 * The transactional outbox without transactions: a module records an event by adding it to the
 * `_outbox` array of the very document it changes, in the same update (MongoDB makes one
 * document's update atomic), so the change and its event exist together or not at all. The relay
 * then hands each document's pending events to the sink (the webhooks module, idempotent by event
 * id) and removes them from the document. A process dying at any step leaves the events in the
 * document: the sweep finds them by `_outbox_at` and hands them over again.
 *
 * Events of one document are handed over in the order they were recorded, one flush per document
 * at a time across processes (a short Redis lease).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Schema, type Connection } from 'mongoose';
import type { Logger } from '../logging/logger.js';
import type { EventResource, EventSink, EventType, PuenteEvent } from './types.js';

export const OUTBOX_FIELD = '_outbox';
/** When the oldest pending event was recorded; absent when none is pending (the sweep's index). */
export const OUTBOX_AT_FIELD = '_outbox_at';
/** How long the sweep leaves a fresh event to the flush its writer asked for. */
const SWEEP_GRACE_MS = 5_000;
const LEASE_MS = 15_000;
const SWEEP_BATCH = 500;
/** A flush that finds the document's lease taken retries this often, this many times (then the sweep has it). */
const BUSY_RETRY_MS = 50;
const BUSY_RETRIES = 40;

export function newEvent(type: EventType, orgId: string, resource: EventResource, data: Record<string, unknown>, at = new Date()): PuenteEvent {
  return { id: `evt_${randomBytes(12).toString('base64url')}`, type, org_id: orgId, occurred_at: at, resource, data };
}

/** The update operators that record `events` with a change: merge them into the change's own update. */
export function outboxUpdate(events: readonly PuenteEvent[]): { $push?: Record<string, unknown>; $min?: Record<string, unknown> } {
  if (events.length === 0) return {};
  const at = events[0]!.occurred_at;
  return { $push: { [OUTBOX_FIELD]: { $each: [...events] } }, $min: { [OUTBOX_AT_FIELD]: at } };
}

/** The fields that record `events` on a document being inserted. */
export function outboxFields(events: readonly PuenteEvent[]): Record<string, unknown> {
  return events.length === 0 ? {} : { [OUTBOX_FIELD]: [...events], [OUTBOX_AT_FIELD]: events[0]!.occurred_at };
}

/** Merges update documents operator by operator (`$set` with `$set`, …). */
export function mergeUpdates(...updates: Record<string, unknown>[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const update of updates) for (const [op, fields] of Object.entries(update)) out[op] = { ...out[op], ...(fields as Record<string, unknown>) };
  return out;
}

/** What a module is given to record events. */
export interface EventRecorder {
  /** Which of `types` the organization's subscriptions want: record only those (an event nobody wants costs nothing). */
  wanted(orgId: string, types: readonly EventType[]): Promise<Set<EventType>>;
  /**
   * Asks for the document's pending events to be handed over now (after the write that recorded
   * them); `key` is a filter naming that one document (`{_id}`, or a unique field like `{wamid}`).
   */
  flush(collection: string, key: Record<string, unknown>): void;
}

export interface OutboxRelay extends EventRecorder {
  /** Hands over every document's events pending for longer than the grace period; returns how many documents it flushed. */
  sweep(): Promise<number>;
  /** Resolves when the flushes asked for so far are done (tests, shutdown). */
  idle(): Promise<void>;
}

/** A recorder that records nothing (no sink configured, e.g. a test of one module). */
export const noEvents: EventRecorder = { wanted: async () => new Set(), flush: () => undefined };

export function createOutboxRelay(deps: { connection: Connection; redis: Redis; keyPrefix: string; sink: EventSink; logger: Logger; collections: readonly string[]; sweepGraceMs?: number }): OutboxRelay {
  const running = new Set<Promise<void>>();
  const lease = (collection: string, key: Record<string, unknown>) => `${deps.keyPrefix}:outbox:${collection}:${JSON.stringify(key)}`;

  async function flushNow(collection: string, filter: Record<string, unknown>): Promise<boolean> {
    const key = lease(collection, filter);
    const token = randomBytes(8).toString('hex');
    if ((await deps.redis.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') return false;
    const coll = deps.connection.collection(collection);
    try {
      for (let round = 0; round < 10; round++) {
        const doc = await coll.findOne(filter, { projection: { [OUTBOX_FIELD]: 1 } });
        const events = ((doc?.[OUTBOX_FIELD] as PuenteEvent[] | undefined) ?? []).map((e) => ({ ...e, occurred_at: new Date(e.occurred_at) }));
        if (events.length === 0) {
          await coll.updateOne({ ...filter, [OUTBOX_FIELD]: { $size: 0 } }, { $unset: { [OUTBOX_FIELD]: '', [OUTBOX_AT_FIELD]: '' } });
          return true;
        }
        await deps.sink.publish(events);
        await coll.updateOne(filter, { $pull: { [OUTBOX_FIELD]: { id: { $in: events.map((e) => e.id) } } } } as never);
      }
      return true;
    } finally {
      // Release only our own lease (compare-and-delete).
      await deps.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, token).catch(() => undefined);
    }
  }

  return {
    async wanted(orgId, types) {
      const answers = await Promise.all(types.map(async (t) => [t, await deps.sink.wants(orgId, t)] as const));
      return new Set(answers.filter(([, yes]) => yes).map(([t]) => t));
    },
    flush(collection, key) {
      // Another flush of the same document holds the lease: it may have read the document before
      // this change's event landed, so try again shortly rather than leave the event to the sweep.
      const attempt = async () => {
        for (let tries = 0; tries < BUSY_RETRIES; tries++) {
          if (await flushNow(collection, key)) return;
          await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
        }
      };
      const run = attempt()
        .then(() => undefined)
        .catch((err: unknown) => deps.logger.warn({ err, collection }, 'outbox flush failed; the sweep hands the events over later'))
        .finally(() => running.delete(run));
      running.add(run);
    },
    async sweep() {
      const before = new Date(Date.now() - (deps.sweepGraceMs ?? SWEEP_GRACE_MS));
      let flushed = 0;
      for (const collection of deps.collections) {
        const docs = await deps.connection.collection(collection).find({ [OUTBOX_AT_FIELD]: { $lte: before } }, { projection: { _id: 1 } }).limit(SWEEP_BATCH).toArray();
        for (const doc of docs) if (await flushNow(collection, { _id: doc._id })) flushed++;
      }
      return flushed;
    },
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };
}

/**
 * Adds the outbox fields to a collection's schema (mongoose would drop unknown paths from an
 * update) and the sparse index the sweep reads.
 */
export function addOutbox<T>(schema: Schema<T>): void {
  schema.add({ [OUTBOX_FIELD]: { type: [Schema.Types.Mixed], default: undefined }, [OUTBOX_AT_FIELD]: Date } as never);
  schema.index({ [OUTBOX_AT_FIELD]: 1 }, { sparse: true });
}
