import type { DrainJobs } from './drain-jobs.js';
import { inlineToken, type InlineDrains } from './inline.js';
import type { LaneProtocol } from './protocol.js';
import type { InlineDelegate, MailboxItem } from './types.js';

/**
 * Delegation between processes: one that pushes without draining inline itself (the HTTP process
 * of `PUENTE_ROLE=all` with forked worker processes) leases each lane it opens (with the push) and asks a worker
 * process to `adopt` it, which takes the lease over and drains the lane inline. A lane nobody
 * adopts gets its drain job from a lease sweep once the lease runs out.
 */

/**
 * Asks another process to drain now the lanes opened here (their push leased them for
 * `to.safetyMs`); those it cannot ask get their drain job at once.
 */
export async function delegateDrains(lanes: LaneProtocol, jobs: DrainJobs, to: InlineDelegate, entries: { lane: string; jobId: string }[]): Promise<void> {
  if (entries.length === 0) return;
  // Nobody to ask (a worker process restarting): the Workers take it, as without delegation.
  const unasked = entries.filter(({ lane, jobId }) => !to.send(lane, jobId));
  if (unasked.length === 0) return;
  await jobs.add(unasked);
  await Promise.all(unasked.map(({ lane, jobId }) => lanes.unlease(jobId, lane)));
}

/** Takes a lane another process delegated here (its lease and the claim in one script), or releases it to the Workers at once. */
export async function adoptLane<T extends MailboxItem>(lanes: LaneProtocol, jobs: DrainJobs, inline: InlineDrains<T>, lane: string, jobId: string): Promise<void> {
  const release = async () => {
    // A sweep may have added the job already (same id: BullMQ keeps the first).
    await jobs.add([{ lane, jobId }]);
    await lanes.unlease(jobId, lane);
  };
  const open = inline.open();
  const state = open && open.running.size < open.options.maxConcurrent ? open : undefined;
  if (!state) return release();
  // A request that took half the lease to get here is not taken: a sweep may hand the lane to a
  // Worker any moment, and a Worker must not start the lane's head item while this process runs it too.
  const { safetyMs } = state.options;
  const token = inlineToken();
  await inline.drainHere(state, lane, jobId, token, () => lanes.adopt(lane, jobId, token, safetyMs / 2, Date.now() + safetyMs), release);
}
