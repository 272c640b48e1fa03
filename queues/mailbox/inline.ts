import { randomUUID } from 'node:crypto';
import { drainLane, type DrainConfig, type DrainEnd } from './drain.js';
import type { DrainJobs } from './drain-jobs.js';
import type { QueueRuns } from './processor.js';
import { leaseMember, type Head, type LaneProtocol } from './protocol.js';
import type { InlineDrainOptions, MailboxItem } from './types.js';

/** A lane drained inline: its lease member while this process renews it, and when the drain is over. */
type InlineRun = { member?: string; done: Promise<void> };

/** Inline draining, while enabled: the drains running in this process, by owner job id. */
export type InlineState<T extends MailboxItem> = {
  options: InlineDrainOptions;
  config: DrainConfig<T>;
  stopping: boolean;
  running: Map<string, InlineRun>;
  timers: NodeJS.Timeout[];
};

export type InlineDrains<T extends MailboxItem> = ReturnType<typeof createInlineDrains<T>>;

/** How a drain that failed on Redis ends: its lease is left to run out, and a sweep gives the lane its drain job. */
type InlineEnd = DrainEnd | { end: 'failed' };

/**
 * Inline drains hold a lease per lane instead of a drain job: one zset member, set with the push
 * that opened the lane (or taken over by `adopt`), renewed for every running drain in one command
 * every third of `safetyMs`, and removed by the script that releases the empty lane. A drain job is
 * added only when the lane needs one: a retry later, a fairness or shutdown hand-off — or the lease
 * running out because this process died, which a sweep (every process, every quarter of
 * `safetyMs`) notices.
 */
export function createInlineDrains<T extends MailboxItem>(lanes: LaneProtocol, runs: QueueRuns, jobs: DrainJobs) {
  let inline: InlineState<T> | undefined;

  /**
   * Inline draining, when enabled and this process's Workers are not working through drain jobs
   * of this mailbox. Under overload, lanes beyond `maxConcurrent` go to the queue; taking new
   * lanes inline again as soon as a slot frees would let them overtake the ones waiting there (a
   * fast p50, a slow p99), so until the Workers are idle again new lanes queue behind them.
   */
  const open = () => (inline && !inline.stopping && runs.count === 0 ? inline : undefined);

  /** Adds the drain jobs of lanes whose lease ran out (a process died mid-drain, or stopped renewing). */
  async function sweep(): Promise<number> {
    const expired = await lanes.sweepLeases();
    if (expired.length > 0) await jobs.add(expired);
    return expired.length;
  }

  function start(options: InlineDrainOptions, config: DrainConfig<T>): void {
    if (inline && !inline.stopping) return;
    const running = new Map<string, InlineRun>();
    // Keeps the lease of every running drain in the future while this process lives.
    const heartbeat = setInterval(() => {
      const members = [...running.values()].flatMap(({ member }) => (member ? [member] : []));
      lanes.renew(members, Date.now() + options.safetyMs).catch(() => undefined); // a lease that runs out meanwhile gets its job from a sweep
    }, Math.max(10, Math.floor(options.safetyMs / 3)));
    const sweeper = setInterval(() => {
      sweep().catch((err: unknown) => config.logger.warn({ err }, 'inline lease sweep failed; the next one tries again'));
    }, Math.max(50, Math.floor(options.safetyMs / 4)));
    heartbeat.unref();
    sweeper.unref();
    inline = { options, config, stopping: false, running, timers: [heartbeat, sweeper] };
  }

  async function stop(): Promise<void> {
    const state = inline;
    if (!state) return;
    state.stopping = true;
    await Promise.all([...state.running.values()].map((r) => r.done));
    for (const timer of state.timers) clearInterval(timer);
    if (inline === state) inline = undefined;
  }

  /**
   * Drains `lane` here as run `token` once `acquire` has taken its lease and claimed it for that
   * run, answering its head (the push that opened the lane did both already: `acquire` then just
   * answers the head it got); when it answers 'refused', `refused` releases the lane to the
   * Workers. Resolves once the drain has started (or was refused).
   */
  async function drainHere(state: InlineState<T>, lane: string, jobId: string, token: string, acquire: () => Promise<Head | 'refused'> | Head | 'refused', refused: () => Promise<void>): Promise<void> {
    let finish!: () => void;
    const run: InlineRun = { done: new Promise<void>((resolve) => (finish = resolve)) };
    state.running.set(jobId, run); // takes the slot before the await, so maxConcurrent holds
    const end = () => {
      state.running.delete(jobId);
      finish();
    };
    let head: Head | 'refused';
    try {
      head = await acquire();
    } catch (err) {
      end();
      throw err;
    }
    if (head === 'refused') {
      end();
      return refused();
    }
    run.member = leaseMember(jobId, lane);
    void drainInline(state, lane, jobId, token, head, run).finally(end);
  }

  async function drainInline(state: InlineState<T>, lane: string, jobId: string, token: string, head: Head, run: InlineRun): Promise<void> {
    const result: InlineEnd = state.stopping
      ? { end: 'handoff' }
      : await drainLane(lanes, lane, jobId, token, state.config, () => state.stopping, head).catch((err: unknown) => {
          // Redis trouble: the lane stays owned and its lease runs out; a sweep then adds its drain job.
          state.config.logger.warn({ err, lane, jobId }, 'inline drain failed; its drain job takes the lane over once the lease runs out');
          return { end: 'failed' } as const;
        });
    run.member = undefined; // no more renewals
    try {
      // The drain job first, then the lease: a crash in between leaves a job and a lease that runs out (harmless).
      if (result.end === 'handoff') await jobs.add([{ lane, jobId }]);
      else if (result.end === 'retry') await jobs.addDelayed(lane, jobId, result.delayMs);
      // 'empty': the releasing script removed the lease. 'failed': left to run out.
      if (result.end === 'handoff' || result.end === 'retry' || result.end === 'not_owner') await lanes.unlease(jobId, lane);
    } catch (err) {
      state.config.logger.warn({ err, lane, jobId, end: result.end }, 'could not hand an inline lane to its drain job; a sweep does once the lease runs out');
    }
  }

  return { open, start, stop, drainHere, sweep };
}

/** A fresh token for one inline drain run (its claim is `<jobId>|<token>`). */
export const inlineToken = () => `inline-${randomUUID()}`;
