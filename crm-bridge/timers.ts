import type { Processor, Queue } from 'bullmq';
import type { LanePush } from '../queues/lanes.js';
import type { BridgeLaneItem } from './lane-items.js';

interface TimerJob {
  lane: string;
  ticketId: string;
  timer: 'assign' | 'idle';
  stage: number;
}

/**
 * Handover timers are BullMQ delayed jobs (they survive restarts). When one fires it does not act
 * by itself: it drops a `timer` item into the user's lane, whose handler re-reads the ticket and
 * ignores the timer if the ticket moved on, so a timer can never race a message.
 */
export function createTimers(queue: Queue, lanes: { push: LanePush<BridgeLaneItem> }) {
  return {
    /** `key` makes the job id unique per schedule, so rescheduling the idle timer adds a new job. */
    async schedule(job: TimerJob, delayMs: number, key: string | number = job.stage): Promise<void> {
      await queue.add('timer', job, { jobId: `${job.timer}-${job.ticketId}-${key}`, delay: Math.max(0, delayMs), removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } });
    },
    processor: (async (job) => {
      const { lane, ticketId, timer, stage } = job.data;
      const id = `${job.id ?? `${timer}-${ticketId}-${stage}`}.fired`;
      await lanes.push([{ lane, item: { id, kind: 'timer', ticketId, timer, stage }, dedupeKey: id }]);
    }) satisfies Processor<TimerJob>,
  };
}

export type Timers = ReturnType<typeof createTimers>;
