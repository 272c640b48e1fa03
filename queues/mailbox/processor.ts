import { DelayedError, type Job, type Processor } from 'bullmq';
import type { DrainJobs } from './drain-jobs.js';
import { drainLane, type DrainConfig } from './drain.js';
import type { LaneProtocol } from './protocol.js';
import type { MailboxItem } from './types.js';

/** Drain jobs of a mailbox running in this process's Workers right now (inline draining defers to them). */
export interface QueueRuns {
  count: number;
}

/** Parks the drain job (keeping lane ownership) until `delayMs` from now; the head item stays in place. */
async function retryLater(job: Job, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}

/** The BullMQ processor of a mailbox's queue: one run drains the lane its job owns. */
export function drainProcessor<T extends MailboxItem>(lanes: LaneProtocol, jobs: DrainJobs, config: DrainConfig<T>, runs: QueueRuns): Processor {
  return async (job, token) => {
    const lane = (job.data as { lane: string }).lane;
    const jobId = job.id ?? '';
    runs.count++;
    try {
      const result = await drainLane(lanes, lane, jobId, token ?? 'none', config, () => false);
      if (result.end === 'retry') return await retryLater(job, token, result.delayMs);
      if (result.end !== 'handoff') return result.end;
      const nextId = await lanes.handoff(lane, `${jobId}|${token ?? 'none'}`);
      if (nextId) await jobs.add([{ lane, jobId: nextId }]);
      return 'handed_off';
    } finally {
      runs.count--;
    }
  };
}
