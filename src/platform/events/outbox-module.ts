import type { Queue } from 'bullmq';
import type { Logger } from '../logging/logger.js';
import type { Module } from '../module.js';
import type { OutboxRelay } from './outbox.js';

/** The queue whose repeating job sweeps the outboxes. */
export const OUTBOX_QUEUE = 'outbox';
const SWEEP_EVERY_MS = 5_000;

/**
 * The outbox relay's safety net as a module: a BullMQ job scheduler runs one sweep every 5 s on
 * some worker (a flush its writer asked for normally hands the events over long before), so
 * events a crash left in their documents are handed over within seconds of a worker being up.
 */
export function createOutboxModule(deps: { relay: OutboxRelay; queue: Queue; logger: Logger }): Module {
  return {
    name: 'outbox',
    workers: () => {
      // Idempotent: every worker process upserts the same scheduler.
      deps.queue
        .upsertJobScheduler('outbox-sweep', { every: SWEEP_EVERY_MS }, { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule the outbox sweep'));
      return [{ queue: OUTBOX_QUEUE, tier: 'background', concurrency: 1, processor: async () => ({ flushed: await deps.relay.sweep() }) }];
    },
  };
}
