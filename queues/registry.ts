import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/platform/logging/logger.js';

export interface QueueRegistry {
  readonly prefix: string;
  /** The queue of that name, created on first use; the modules name their own queues. */
  get(name: string): Queue;
  /** Every queue asked for so far (after the modules are built: all of them), for Bull Board. */
  all(): Queue[];
  close(): Promise<void>;
}

/** One Queue object per name, sharing the producer connection. */
export function createQueueRegistry(connection: Redis, prefix: string, logger: Logger): QueueRegistry {
  const queues = new Map<string, Queue>();
  return {
    prefix,
    get(name) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, {
          connection,
          prefix,
          // Producers must not hang while Redis is down: callers turn the error into a 503.
          skipWaitingForReady: true,
          defaultJobOptions: { removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 7 * 86_400 } },
        }).on('error', (err) => logger.warn({ err, queue: name }, 'queue connection error'));
        queues.set(name, queue);
      }
      return queue;
    },
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/**
 * Adds jobs: a single job with `queue.add` (one script call), several with `addBulk` (one MULTI).
 * Most callers add exactly one, and BullMQ's addBulk costs a transaction even for one job.
 */
export async function addJobs(queue: Queue, jobs: { name: string; data: unknown; opts?: JobsOptions }[]): Promise<void> {
  if (jobs.length === 0) return;
  if (jobs.length === 1) {
    const [job] = jobs as [(typeof jobs)[number]];
    await queue.add(job.name, job.data, job.opts);
    return;
  }
  await queue.addBulk(jobs);
}
