/**
 * Webhook subscriptions (collection `webhook_subscriptions`) and their deliveries (collection
 * `webhook_deliveries`, kept 30 days by a TTL index). Every document carries `org_id`; field names
 * are the API's (snake_case).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { EventResource } from '../platform/events/types.js';
import { modelOn } from '../platform/mongo/model.js';

export const SUBSCRIPTION_STATUSES = ['pending_verification', 'active', 'paused', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Why Puente disabled a subscription: the endpoint answered 410 Gone, or failed for 3 days running. */
export const DISABLED_REASONS = ['gone', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `event`: an event the subscription asked for; `verification`: the challenge; `test`: POST …/test; `redelivery`: POST …/redeliver. */
export const DELIVERY_KINDS = ['event', 'verification', 'test', 'redelivery'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/** How long a delivery (and its attempts) stays in the log. */
export const DELIVERY_LOG_TTL_SECONDS = 30 * 86_400;

/**
 * A secret that signs deliveries. Stored as is, not hashed: Puente needs it to sign. It is shown
 * once (create, rotation), never returned by a read, and redacted from logs by its key name.
 */
export interface SigningSecret {
  value: string;
  created_at: Date;
  /** Set on the previous secret by a rotation: it signs beside the new one until then. */
  expires_at?: Date;
}

export interface SubscriptionDoc {
  _id: string;
  org_id: string;
  url: string;
  /** Event types, or `['*']` for every type. */
  events: string[];
  description?: string;
  status: SubscriptionStatus;
  disabled_reason?: DisabledReason;
  disabled_at?: Date;
  /** Newest first; more than one only during a rotation's overlap. */
  secrets: SigningSecret[];
  /** The delivery id of the verification running now (a newer one supersedes it). */
  verification_id?: string;
  verified_at?: Date;
  /** Start of the current streak of failed attempts (unset by a success). */
  failing_since?: Date;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryAttempt {
  at: Date;
  duration_ms: number;
  /** The endpoint's HTTP status, when it answered. */
  status_code?: number;
  /** What went wrong: a network error, a timeout, a refused target, a wrong challenge… */
  error?: string;
  /** The first 1 KiB of the answer. */
  response_body?: string;
}

export interface DeliveryDoc {
  _id: string;
  org_id: string;
  subscription_id: string;
  /** The event's id (the body's `id`): what receivers deduplicate on. */
  event_id: string;
  event: string;
  kind: DeliveryKind;
  resource?: EventResource;
  /** The exact JSON body sent: `{ id, event, timestamp, org_id, data }`. */
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  attempt_count: number;
  next_attempt_at?: Date;
  occurred_at: Date;
  delivered_at?: Date;
  /** Why it will not be delivered (status `failed`). */
  failure_reason?: string;
  redelivery_of?: string;
  created_at: Date;
  updated_at: Date;
}

const secretSchema = new Schema<SigningSecret>({ value: { type: String, required: true }, created_at: { type: Date, required: true }, expires_at: Date }, { _id: false });

const subscriptionSchema = new Schema<SubscriptionDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: String,
    status: { type: String, enum: SUBSCRIPTION_STATUSES, required: true },
    disabled_reason: { type: String, enum: DISABLED_REASONS },
    disabled_at: Date,
    secrets: { type: [secretSchema], required: true },
    verification_id: String,
    verified_at: Date,
    failing_since: Date,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'webhook_subscriptions', versionKey: false, autoIndex: true },
);
subscriptionSchema.index({ org_id: 1, created_at: 1, _id: 1 });
subscriptionSchema.index({ org_id: 1, status: 1 });

const attemptSchema = new Schema<DeliveryAttempt>(
  { at: { type: Date, required: true }, duration_ms: { type: Number, required: true }, status_code: Number, error: String, response_body: String },
  { _id: false },
);

const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    subscription_id: { type: String, required: true },
    event_id: { type: String, required: true },
    event: { type: String, required: true },
    kind: { type: String, enum: DELIVERY_KINDS, required: true },
    resource: { _id: false, type: { type: String }, id: String },
    body: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    attempts: { type: [attemptSchema], default: [] },
    attempt_count: { type: Number, default: 0 },
    next_attempt_at: Date,
    occurred_at: { type: Date, required: true },
    delivered_at: Date,
    failure_reason: String,
    redelivery_of: String,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'webhook_deliveries', versionKey: false, autoIndex: true },
);
deliverySchema.index({ org_id: 1, subscription_id: 1, created_at: -1, _id: -1 });
deliverySchema.index({ created_at: 1 }, { expireAfterSeconds: DELIVERY_LOG_TTL_SECONDS });

export type SubscriptionModel = Model<SubscriptionDoc>;
export type DeliveryModel = Model<DeliveryDoc>;

/** The models on `connection` (registered once per connection). */
export function webhookModels(connection: Connection): { Subscription: SubscriptionModel; Delivery: DeliveryModel } {
  return {
    Subscription: modelOn(connection, 'WebhookSubscription', subscriptionSchema),
    Delivery: modelOn(connection, 'WebhookDelivery', deliverySchema),
  };
}
