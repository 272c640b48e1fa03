import type { Queue } from 'bullmq';
import { addJobs } from '../registry.js';

/** The BullMQ job that owns (drains) a lane; its id comes from the lane's scripts. */
const DRAIN_JOB = 'drain';
const drainJobOptions = { removeOnComplete: true, removeOnFail: { age: 7 * 86_400 }, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } };

export type DrainJobs = ReturnType<typeof createDrainJobs>;

export function createDrainJobs(queue: Queue) {
  return {
    /** Adds the drain jobs of lanes that just got an owner (their ids were handed out by the scripts). */
    async add(entries: { lane: string; jobId: string }[]): Promise<void> {
      await addJobs(queue, entries.map(({ lane, jobId }) => ({ name: DRAIN_JOB, data: { lane }, opts: { ...drainJobOptions, jobId } })));
    },
    /** The drain job of a lane whose head item is to be tried again in `delayMs` (an inline drain asked for a retry). */
    addDelayed: (lane: string, jobId: string, delayMs: number) => queue.add(DRAIN_JOB, { lane }, { ...drainJobOptions, jobId, delay: delayMs }),
  };
}
