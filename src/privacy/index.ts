/**
 * Privacy (Ley 1581 de 2012; docs/operations.md, "Retention and erasure"):
 *
 * - `retention.ts`: the hourly purge of what is past RETENTION_MESSAGES_DAYS, RETENTION_TICKETS_DAYS
 *   and RETENTION_LEADS_DAYS (a BullMQ job scheduler on the `privacy-retention` queue);
 * - `erasure.ts`: "delete my data" for one phone number, through `POST /api/v1/privacy/erasures`
 *   (an organization's key with the admin scope: that organization's data) and
 *   `POST /api/v1/admin/privacy/erasures` (API_ADMIN_KEY: every organization's);
 * - `metrics.ts`: `puente_retention_deleted_total{collection}`.
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { QueueRegistry } from '../../queues/registry.js';
import type { ContactStore } from '../contacts/store.js';
import type { Config } from '../platform/config/index.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { Module } from '../platform/module.js';
import { createErasure, type Erasure, type ErasureOrgs } from './erasure.js';
import { createPrivacyMetrics } from './metrics.js';
import { privacyQueues } from './queue-names.js';
import { createRetention, type Retention, type RetentionPeriods } from './retention.js';
import { privacyRoutes } from './routes/index.js';

export { privacyQueues } from './queue-names.js';
export type { ErasureCounts, ErasureScope } from './erasure.js';
export type { PurgeResult, RetentionPeriods } from './retention.js';

/** How often the retention purge runs. */
export const RETENTION_EVERY_MS = 3_600_000;
/**
 * How long after the scheduler is first created the first purge runs (an `every` scheduler would
 * otherwise run at once, on a process that has just started). Later restarts keep the schedule.
 */
export const RETENTION_FIRST_RUN_DELAY_MS = 300_000;

export interface PrivacyModule {
  module: Module;
  retention: Retention;
  erasure: Erasure;
}

/** The configured retention periods (days; 0 = forever). */
export function retentionPeriods(config: Pick<Config, 'RETENTION_MESSAGES_DAYS' | 'RETENTION_TICKETS_DAYS' | 'RETENTION_LEADS_DAYS'>): RetentionPeriods {
  return { messagesDays: config.RETENTION_MESSAGES_DAYS, ticketsDays: config.RETENTION_TICKETS_DAYS, leadsDays: config.RETENTION_LEADS_DAYS };
}

export function createPrivacyModule(deps: {
  config: Config;
  connection: Connection;
  redis: Redis;
  keyPrefix: string;
  queues: QueueRegistry;
  logger: Logger;
  metrics: Metrics;
  /** The contact store: deleting a contact through it deletes its leads, tasks and scores. */
  contacts: ContactStore;
  /** Organizations and their numbers (the API keys module's store). */
  orgs: ErasureOrgs;
  /** The retention clock (tests). */
  now?: () => Date;
}): PrivacyModule {
  const logger = deps.logger.child({ component: 'privacy' });
  const metrics = createPrivacyMetrics(deps.metrics.registry);
  const retention = createRetention({ connection: deps.connection, periods: retentionPeriods(deps.config), metrics, logger, ...(deps.now ? { now: deps.now } : {}) });
  // Asked for at build time, so Bull Board lists it in every role.
  const queue = deps.queues.get(privacyQueues.retention);
  const erasure = createErasure({ connection: deps.connection, redis: deps.redis, keyPrefix: deps.keyPrefix, contacts: deps.contacts, orgs: deps.orgs, logger });
  return {
    module: {
      name: 'privacy',
      routes: privacyRoutes(erasure),
      workers: () => {
        // Idempotent: every worker process upserts the same scheduler (an existing one keeps its next
        // run); one job an hour runs on one of them.
        queue
          .upsertJobScheduler('retention-purge', { every: RETENTION_EVERY_MS, startDate: Date.now() + RETENTION_FIRST_RUN_DELAY_MS }, { name: 'purge', opts: { removeOnComplete: true, removeOnFail: 100 } })
          .catch((err: unknown) => logger.warn({ err }, 'could not schedule the retention purge'));
        return [{ queue: privacyQueues.retention, tier: 'background', concurrency: 1, processor: async () => retention.purge() }];
      },
    },
    retention,
    erasure,
  };
}
