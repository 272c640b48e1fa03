import { Gauge, type Registry } from 'prom-client';
import type { Mailbox } from './mailbox.js';
import type { QueueRegistry } from './registry.js';

/** The gauges read from Redis on a scrape: the same in every process, so a forked worker drops them (the parent reports them). */
export const QUEUE_GAUGES = ['puente_queue_jobs', 'puente_mailbox_dead_letters'] as const;
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;
const MAX_AGE_MS = 15_000;

/**
 * Queue and lane gauges for /metrics: BullMQ job counts by queue and state, and the items in each
 * mailbox's dead letters. Read from Redis at most every 15 s per process, one read shared by
 * concurrent scrapes, so a scrape storm cannot load Redis.
 */
export function registerQueueGauges(registry: Registry, sources: { queues: QueueRegistry; mailboxes: () => readonly Pick<Mailbox<never>, 'name' | 'deadLetterCount'>[] }, now: () => number = Date.now): void {
  let cached: { at: number; value: Promise<{ jobs: [string, string, number][]; dead: [string, number][] }> } | undefined;
  const read = () => {
    if (cached && now() - cached.at < MAX_AGE_MS) return cached.value;
    const value = (async () => {
      const jobs = await Promise.all(
        sources.queues.all().map(async (queue) => {
          const counts = await queue.getJobCounts(...JOB_STATES);
          return JOB_STATES.map((state) => [queue.name, state, counts[state] ?? 0] as [string, string, number]);
        }),
      );
      const dead = await Promise.all(sources.mailboxes().map(async (m) => [m.name, await m.deadLetterCount()] as [string, number]));
      return { jobs: jobs.flat(), dead };
    })();
    cached = { at: now(), value };
    // A failed read is not kept: the next scrape tries again.
    value.catch(() => (cached = undefined));
    return value;
  };
  new Gauge({
    name: 'puente_queue_jobs',
    help: 'BullMQ jobs by queue and state (waiting, active, delayed, prioritized, waiting-children, failed); lanes being drained show as active or delayed drain jobs',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [queue, state, n] of (await read()).jobs) this.set({ queue, state }, n);
    },
  });
  new Gauge({
    name: 'puente_mailbox_dead_letters',
    help: 'Items in each mailbox’s dead letters (lane items given up after repeated failures)',
    labelNames: ['mailbox'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [mailbox, n] of (await read()).dead) this.set({ mailbox }, n);
    },
  });
}
