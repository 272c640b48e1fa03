import type { Connection, mongo } from 'mongoose';
import type { Pagination } from '../platform/http/pagination.js';
import { BatchedWriteError, createBulkWriter, createKeyedLoader } from '../platform/mongo/batch.js';
import { webhookModels, type DeliveryAttempt, type DeliveryDoc, type DeliveryStatus, type SubscriptionDoc, type SubscriptionStatus } from './models.js';

export interface DeliveryFilters {
  status?: DeliveryStatus;
  event?: string;
  since?: Date;
  until?: Date;
}

/** What a delivery attempt changes on its delivery document. */
export interface AttemptRecord {
  attempt: DeliveryAttempt;
  status: DeliveryStatus;
  next_attempt_at?: Date;
  delivered_at?: Date;
  failure_reason?: string;
}

export interface SubscriptionStore {
  ready(): Promise<void>;
  insert(doc: SubscriptionDoc): Promise<void>;
  get(orgId: string, id: string): Promise<SubscriptionDoc | null>;
  /** By id alone (the delivery worker), batched with concurrent loads. */
  load(id: string): Promise<SubscriptionDoc | null>;
  list(orgId: string, page: Pagination): Promise<{ data: SubscriptionDoc[]; total: number }>;
  count(orgId: string): Promise<number>;
  /** The subscriptions deliveries go to now (status `active`). */
  active(orgId: string): Promise<SubscriptionDoc[]>;
  /** Applies `update` when the subscription matches `where` too; the document after, or null. */
  update(orgId: string, id: string, update: mongo.UpdateFilter<SubscriptionDoc>, where?: mongo.Filter<SubscriptionDoc>): Promise<SubscriptionDoc | null>;
  /** Conditional change by id alone (the delivery worker): whether it applied. */
  transition(id: string, where: mongo.Filter<SubscriptionDoc>, update: mongo.UpdateFilter<SubscriptionDoc>): Promise<boolean>;
  delete(orgId: string, id: string): Promise<boolean>;
}

export interface DeliveryStore {
  /** Inserts deliveries; one whose id exists already is left as it is (an event handed over twice). */
  insertMany(docs: DeliveryDoc[]): Promise<void>;
  get(orgId: string, subscriptionId: string, id: string): Promise<DeliveryDoc | null>;
  list(orgId: string, subscriptionId: string, filters: DeliveryFilters, page: Pagination): Promise<{ data: DeliveryDoc[]; total: number }>;
  /** Adds an attempt and the delivery's new state (group-committed with concurrent ones). */
  recordAttempt(id: string, record: AttemptRecord, now: Date): Promise<void>;
  /** Marks a delivery failed without an attempt (its subscription went away or stopped). */
  fail(id: string, reason: string, now: Date): Promise<void>;
  deleteForSubscription(orgId: string, subscriptionId: string): Promise<void>;
}

const DUPLICATE_KEY = 11000;

export function createWebhookStores(connection: Connection): { subscriptions: SubscriptionStore; deliveries: DeliveryStore } {
  const { Subscription, Delivery } = webhookModels(connection);
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Promise.all([Subscription.init(), Delivery.init()]).then(() => undefined));
  const subscriptionLoader = createKeyedLoader<SubscriptionDoc>(
    async (ids) => (await Subscription.collection.find({ _id: { $in: ids } } as never).toArray()) as unknown as SubscriptionDoc[],
    (doc) => doc._id,
  );
  const deliveryWriter = createBulkWriter<DeliveryDoc>(Delivery.collection as unknown as Parameters<typeof createBulkWriter<DeliveryDoc>>[0]);

  const subscriptions: SubscriptionStore = {
    ready,
    async insert(doc) {
      await Subscription.collection.insertOne(doc as unknown as mongo.Document);
    },
    get: (orgId, id) => Subscription.findOne({ _id: id, org_id: orgId }).lean<SubscriptionDoc>().exec(),
    load: (id) => subscriptionLoader.load(id),
    async list(orgId, page) {
      const [data, total] = await Promise.all([
        Subscription.find({ org_id: orgId }).sort({ created_at: 1, _id: 1 }).skip(page.skip).limit(page.limit).lean<SubscriptionDoc[]>().exec(),
        Subscription.countDocuments({ org_id: orgId }),
      ]);
      return { data, total };
    },
    count: (orgId) => Subscription.countDocuments({ org_id: orgId }),
    active: (orgId) => Subscription.find({ org_id: orgId, status: 'active' satisfies SubscriptionStatus }).lean<SubscriptionDoc[]>().exec(),
    update: (orgId, id, update, where = {}) =>
      Subscription.findOneAndUpdate({ ...where, _id: id, org_id: orgId } as never, update as never, { returnDocument: 'after' }).lean<SubscriptionDoc>().exec(),
    async transition(id, where, update) {
      const result = await Subscription.updateOne({ ...where, _id: id } as never, update as never);
      return result.modifiedCount > 0;
    },
    async delete(orgId, id) {
      return (await Subscription.deleteOne({ _id: id, org_id: orgId })).deletedCount > 0;
    },
  };

  const deliveries: DeliveryStore = {
    async insertMany(docs) {
      if (docs.length === 0) return;
      await Promise.all(
        docs.map((document) =>
          deliveryWriter.write({ insertOne: { document } }).catch((err: unknown) => {
            if (!(err instanceof BatchedWriteError && err.code === DUPLICATE_KEY)) throw err;
          }),
        ),
      );
    },
    get: (orgId, subscriptionId, id) => Delivery.findOne({ _id: id, org_id: orgId, subscription_id: subscriptionId }).lean<DeliveryDoc>().exec(),
    async list(orgId, subscriptionId, filters, page) {
      const query: mongo.Filter<DeliveryDoc> = { org_id: orgId, subscription_id: subscriptionId };
      if (filters.status) query.status = filters.status;
      if (filters.event) query.event = filters.event;
      if (filters.since || filters.until) query.created_at = { ...(filters.since ? { $gte: filters.since } : {}), ...(filters.until ? { $lt: filters.until } : {}) };
      const [data, total] = await Promise.all([
        Delivery.find(query as never).sort({ created_at: -1, _id: -1 }).skip(page.skip).limit(page.limit).lean<DeliveryDoc[]>().exec(),
        Delivery.countDocuments(query as never),
      ]);
      return { data, total };
    },
    recordAttempt(id, record, now) {
      const set: Partial<DeliveryDoc> = { status: record.status, updated_at: now };
      if (record.delivered_at) set.delivered_at = record.delivered_at;
      if (record.failure_reason) set.failure_reason = record.failure_reason;
      if (record.next_attempt_at) set.next_attempt_at = record.next_attempt_at;
      return deliveryWriter.write({
        updateOne: {
          filter: { _id: id },
          update: {
            $set: set,
            // A plain $push (a 24 h schedule makes a few dozen attempts at most): the update shape stores apply fastest.
            $push: { attempts: record.attempt },
            $inc: { attempt_count: 1 },
            ...(record.next_attempt_at ? {} : { $unset: { next_attempt_at: '' } }),
          } as mongo.UpdateFilter<DeliveryDoc>,
        },
      });
    },
    fail(id, reason, now) {
      return deliveryWriter.write({
        updateOne: { filter: { _id: id, status: 'pending' }, update: { $set: { status: 'failed', failure_reason: reason, updated_at: now }, $unset: { next_attempt_at: '' } } },
      });
    },
    async deleteForSubscription(orgId, subscriptionId) {
      await Delivery.deleteMany({ org_id: orgId, subscription_id: subscriptionId });
    },
  };

  return { subscriptions, deliveries };
}
