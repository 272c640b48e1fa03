/**
 * Outbound event webhooks (docs/webhooks.md): organizations subscribe URLs to Puente's events
 * (src/platform/events); every event a subscription wants is POSTed to it signed, at least once,
 * in order per resource, retried for 24 h, with every attempt in a delivery log that can replay it.
 *
 * - `routes/`: `/api/v1/webhooks*` (subscriptions, test events, the delivery log, redelivery);
 * - `sink.ts`: the {@link EventSink} the other modules' events arrive through;
 * - `deliver.ts`: the mailbox handler (one attempt per call; retries, ordering, disabling);
 * - `sender.ts` + `ssrf.ts`: the HTTP POST and where it may go; `signature.ts`: the signature;
 * - `redis-state.ts` (+ `.lua`): concurrency cap, retry counts, failure streaks, shared by processes;
 * - `store.ts`, `models.ts`, `cache.ts`, `service.ts`, `schemas.ts`, `event-docs.ts`, `samples.ts`.
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { createMailbox, type Mailbox } from '../../queues/mailbox.js';
import type { QueueRegistry } from '../../queues/registry.js';
import type { Config } from '../platform/config/index.js';
import type { EventSink } from '../platform/events/types.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { Module } from '../platform/module.js';
import { PUENTE_VERSION } from '../platform/version.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { createSubscriptionCache } from './cache.js';
import { createDeliveryHandler, type DeliveryTuning } from './deliver.js';
import { createWebhookMetrics } from './metrics.js';
import type { DeliveryItem } from './queueing.js';
import { webhookQueues } from './queue-names.js';
import { createRetryState, createSlotLimiter } from './redis-state.js';
import { webhookRoutes } from './routes/index.js';
import { createSender } from './sender.js';
import { createWebhookService } from './service.js';
import { createEventSink } from './sink.js';
import { systemResolver, type Resolver } from './ssrf.js';
import { createWebhookStores } from './store.js';

export { webhookQueues } from './queue-names.js';

/** Knobs with production defaults; tests shorten the waits and bring their own clock and resolver. */
export interface WebhooksOptions {
  /** The clock of retries, the 24 h limit and the 3-day rule. Default: the system clock. */
  now?: () => Date;
  /** DNS for the SSRF checks and the delivery agents. Default: the system resolver. */
  resolve?: Resolver;
  /** Per attempt, connect to last byte. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between verification attempts. Default 30 s, 2 min, 5 min, 10 min (5 attempts over ~17 min). */
  verificationDelaysMs?: readonly number[];
  /** Requests in flight to one subscription, across every process. Default `WEBHOOKS_CONCURRENCY_PER_SUBSCRIPTION` (8). */
  concurrencyPerSubscription?: number;
  /**
   * Lanes one process drains at once (inline, and its Workers' concurrency). Default
   * `WEBHOOKS_LANE_CONCURRENCY` (1,024): a
   * delivery lane mostly waits on its endpoint, and a lane opened beyond this goes through a
   * BullMQ job instead (a queue hop each; at 2,000 deliveries/s on the bench, 256 put p99 at 2–5 s).
   */
  laneConcurrency?: number;
  /** How old a subscription read may be (publish, wants, deliveries). Default 2 s. */
  cacheMs?: number;
  /** How long a lane of a paused subscription waits before looking again. Default 30 s. */
  holdMs?: number;
  /** Failing this long with no success disables a subscription. Default 3 days. */
  disableAfterMs?: number;
}

export interface WebhooksModule {
  module: Module;
  /** Where the other modules' events go. */
  sink: EventSink;
}

export interface WebhooksDeps {
  config: Config;
  connection: Connection;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  logger: Logger;
  metrics: Metrics;
}

export function createWebhooksModule(deps: WebhooksDeps, options: WebhooksOptions = {}): WebhooksModule {
  const logger = deps.logger.child({ component: 'webhooks' });
  const now = options.now ?? (() => new Date());
  const resolve = options.resolve ?? systemResolver;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy = { allowPrivate: deps.config.WEBHOOKS_ALLOW_PRIVATE_TARGETS };
  const { subscriptions, deliveries } = createWebhookStores(deps.connection);
  const cache = createSubscriptionCache(subscriptions, options.cacheMs ?? 2_000);
  const queue = deps.queues.get(webhookQueues.deliveries);
  const mailbox = createMailbox<DeliveryItem>({ name: webhookQueues.deliveries, redis: deps.redis, queue, keyPrefix: deps.keyPrefix });
  /**
   * The same lanes (same name, keys and queue) as the BullMQ Workers see them. A mailbox stops
   * draining new lanes inline while its own Workers run drain jobs (fairness between a user's
   * lanes, queues/mailbox/inline.ts). Here the Workers mostly run lanes woken from the
   * concurrency cap's waiting list — a slow endpoint's, without end — so with one instance every
   * new delivery of every subscription went through a BullMQ job (about twice the CPU) as soon as
   * one endpoint was slow. The Workers therefore drain through this second instance, whose runs
   * do not close `mailbox`'s inline draining; order per lane is the lanes' own and unchanged.
   */
  const workerMailbox = createMailbox<DeliveryItem>({ name: webhookQueues.deliveries, redis: deps.redis, queue, keyPrefix: deps.keyPrefix });
  const base = `${deps.keyPrefix}:whk`;
  const state = createRetryState(deps.redis, base);
  const metrics = createWebhookMetrics(deps.metrics.registry);
  const service = createWebhookService({ subscriptions, deliveries, cache, mailbox, state, policy, resolve, now, logger });
  const sink = createEventSink({ cache, deliveries, mailbox, now });
  const tuning: DeliveryTuning = {
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    verificationDelaysMs: options.verificationDelaysMs ?? [30_000, 120_000, 300_000, 600_000],
    holdMs: options.holdMs ?? 30_000,
    disableAfterMs: options.disableAfterMs ?? 3 * 86_400_000,
    capWaitMs: 10_000,
  };
  const laneConcurrency = options.laneConcurrency ?? deps.config.WEBHOOKS_LANE_CONCURRENCY;

  const module: Module = {
    name: 'webhooks',
    routes: webhookRoutes({ service, deliveries }),
    mailboxes: [mailbox as Mailbox<never>],
    workers: () => {
      const sender = createSender({ policy, resolve, timeoutMs });
      const limiter = createSlotLimiter({ redis: deps.redis, base, queue, cap: options.concurrencyPerSubscription ?? deps.config.WEBHOOKS_CONCURRENCY_PER_SUBSCRIPTION, slotTtlMs: timeoutMs + 5_000, logger });
      const drainOptions = { maxAttempts: 1_000_000, baseBackoffMs: 1_000, onDeadLetter: () => deps.metrics.deadLetters.inc({ mailbox: 'webhooks' }) };
      const handler = createDeliveryHandler({ subscriptions, deliveries, cache, sender, limiter, state, metrics, logger, now, userAgent: `Puente/${PUENTE_VERSION}`, tuning });
      // Inline drains (`startInline`, by startWorkers) use `mailbox`'s handler.
      mailbox.processor(handler, logger, drainOptions);
      return [
        {
          queue: webhookQueues.deliveries,
          tier: 'background',
          concurrency: laneConcurrency,
          mailbox,
          // The handler retries deliveries itself (returning a delay); a throw is an infrastructure
          // error (MongoDB, Redis), retried by the mailbox with its backoff and never dead-lettered
          // in practice, since a delivery must not be lost to an outage of ours.
          processor: workerMailbox.processor(handler, logger, drainOptions),
        },
      ];
    },
  };
  return { module, sink };
}
