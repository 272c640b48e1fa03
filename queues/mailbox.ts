import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { adoptLane, delegateDrains } from './mailbox/delegation.js';
import type { DrainConfig } from './mailbox/drain.js';
import { createDrainJobs } from './mailbox/drain-jobs.js';
import { createInlineDrains, inlineToken } from './mailbox/inline.js';
import { repairOwners } from './mailbox/janitor.js';
import { mailboxOps } from './mailbox/ops.js';
import { drainProcessor, type QueueRuns } from './mailbox/processor.js';
import { createLaneProtocol } from './mailbox/protocol.js';
import type { InlineDelegate, Mailbox, MailboxItem, PushRequest, PushResult } from './mailbox/types.js';

/**
 * Ordered lanes on top of BullMQ: one Redis list ("mailbox") per lane key and at most one BullMQ
 * job owning ("draining") it at a time. Producers append and, atomically in the same script,
 * schedule a drain job only when the lane has no owner. The owner processes items head-first and
 * removes each one only after its handler finished, so a killed worker leaves the item in place:
 * BullMQ's stalled-job check hands the same job to another worker, which resumes at that item.
 * Handlers must therefore be idempotent per item id (at-least-once per item, in order per lane).
 * Different lanes run in parallel up to the worker's concurrency. docs/architecture.md has the
 * measurements behind this choice.
 *
 * Inline draining (`startInline`, enabled where this process runs the mailbox's workers): a lane
 * opened by a push in this process is drained right here, without waiting for a Worker to fetch
 * its job — and without a job at all: the lane gets a lease (a member of the mailbox's `inline`
 * zset, scored by when it runs out) that the process renews while it lives, and that the script
 * releasing the empty lane removes. If the process dies the lease runs out, a sweep (run by every
 * process with inline drains, and by the janitor) adds the lane's drain job, and a Worker resumes
 * the lane at its head item, as after a stalled job. Retries, fairness hand-offs and shutdown add
 * the drain job themselves. A process that pushes without running the workers itself (the HTTP
 * process of `PUENTE_ROLE=all` with forked worker processes) can delegate: it leases the lane and
 * asks a worker process to `adopt` it, which takes the lease over and drains it inline the same way.
 *
 * The parts, in ./mailbox/: `protocol.ts` and its `.lua` scripts (the keys and the atomic steps on
 * them), `drain.ts` (the item loop both kinds of drain share), `processor.ts` (BullMQ runs),
 * `inline.ts`, `delegation.ts` (adopt), `janitor.ts` (repairOwners), `ops.ts` (depth, dead letters).
 */

export type {
  DrainOptions,
  HandlerContext,
  HandlerOutcome,
  InlineDelegate,
  InlineDrainOptions,
  Mailbox,
  MailboxHandler,
  MailboxItem,
  PushRequest,
  PushResult,
} from './mailbox/types.js';

export function createMailbox<T extends MailboxItem>(opts: { name: string; redis: Redis; queue: Queue; keyPrefix: string }): Mailbox<T> {
  const { redis, queue } = opts;
  const lanes = createLaneProtocol(redis, opts.keyPrefix, opts.name);
  const jobs = createDrainJobs(queue);
  const runs: QueueRuns = { count: 0 };
  const inline = createInlineDrains<T>(lanes, runs, jobs);
  let drainConfig: DrainConfig<T> | undefined;
  let delegate: InlineDelegate | undefined;

  /**
   * Appends, then sends each lane the pushes opened to be drained: inline here, by another process,
   * or by its drain job. A lane that will be drained inline (here or by a delegate) is leased by
   * the push script itself, in the same round trip.
   */
  async function push(requests: PushRequest<T>[]): Promise<PushResult[]> {
    const before = inline.open();
    const leaseMs = before ? before.options.safetyMs : delegate?.safetyMs;
    // Drained here: the push also claims the lanes it opens for this token's run and answers their heads.
    const token = before ? inlineToken() : undefined;
    const replies = await lanes.push(requests, leaseMs === undefined ? { deadlineMs: 0 } : { deadlineMs: Date.now() + leaseMs, ...(token ? { token } : {}) });
    const opened = replies.flatMap(({ jobId, head }, i) => (jobId ? [{ lane: requests[i]!.lane, jobId, head }] : []));
    if (opened.length > 0) {
      const state = inline.open();
      const here = state && token ? opened.slice(0, Math.max(0, state.options.maxConcurrent - state.running.size)) : [];
      const elsewhere = opened.slice(here.length);
      const started = state && token ? here.map(({ lane, jobId, head }) => inline.drainHere(state, lane, jobId, token, () => head ?? 'refused', () => jobs.add([{ lane, jobId }]))) : [];
      const rest = async () => {
        if (elsewhere.length === 0) return;
        if (delegate && !state) return delegateDrains(lanes, jobs, delegate, elsewhere);
        // Their drain job first, then the lease the push gave them: a crash in between leaves a job and a lease that runs out (harmless).
        await jobs.add(elsewhere);
        if (leaseMs !== undefined) await Promise.all(elsewhere.map(({ lane, jobId }) => lanes.unlease(jobId, lane)));
      };
      await Promise.all([rest(), ...started]);
    }
    return replies.map(({ status }) => status);
  }

  return {
    name: opts.name,
    push,
    processor(handler, logger, options = {}) {
      drainConfig = { handler, logger, options };
      return drainProcessor(lanes, jobs, drainConfig, runs);
    },
    startInline(options) {
      if (!drainConfig) throw new Error(`mailbox ${opts.name}: startInline needs processor() first`);
      inline.start(options, drainConfig);
    },
    stopInline: inline.stop,
    delegateInline: (to) => void (delegate = to),
    adopt: (lane, jobId) => adoptLane(lanes, jobs, inline, lane, jobId),
    repairOwners: (olderThanMs) => repairOwners(redis, queue, lanes, jobs, olderThanMs),
    ...mailboxOps<T>(redis, lanes),
  };
}
