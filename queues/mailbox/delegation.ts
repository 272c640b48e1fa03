import { Job, type Queue } from 'bullmq';
import type { DrainJobs } from './drain-jobs.js';
import type { InlineDrains } from './inline.js';
import type { InlineDelegate, MailboxItem } from './types.js';

/**
 * Delegation between processes: one that pushes without draining inline itself (the HTTP process
 * of `PUENTE_ROLE=all` with forked worker processes) adds the drain job of each lane it opens
 * delayed and asks a worker process to `adopt` the lane, which drains it inline.
 */

/** Adds the drain jobs of lanes opened here delayed, and asks another process to drain them now. */
export async function delegateDrains(jobs: DrainJobs, to: InlineDelegate, entries: { lane: string; jobId: string }[]): Promise<void> {
  await Promise.all(
    entries.map(async ({ lane, jobId }) => {
      const job = await jobs.addStandby(lane, jobId, to.safetyMs);
      // Nobody to ask (a worker process restarting): the Workers take it, as without delegation.
      if (!to.send(lane, jobId)) await job.promote().catch(() => undefined);
    }),
  );
}

/** Takes a lane another process delegated here, or releases its drain job to the Workers at once. */
export async function adoptLane<T extends MailboxItem>(queue: Queue, inline: InlineDrains<T>, lane: string, jobId: string): Promise<void> {
  const open = inline.open();
  const state = open && open.running.size < open.options.maxConcurrent ? open : undefined;
  const release = async (job: Job | undefined) => {
    // Promoting a job that is no longer delayed fails: it runs (or ran) already.
    await job?.promote().catch(() => undefined);
    return undefined;
  };
  if (!state) {
    await release(await Job.fromId(queue, jobId));
    return;
  }
  await inline.drainHere(state, lane, jobId, async () => {
    const job = await Job.fromId(queue, jobId);
    // A request that took half the standby time to get here is not taken: its job may fire any
    // moment, and a Worker must not start the lane's head item while this process runs it too.
    return job && Date.now() - job.timestamp < state.options.safetyMs / 2 ? job : release(job);
  });
}
