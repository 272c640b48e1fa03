import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { drainLane, type DrainConfig, type DrainEnd } from './drain.js';
import type { QueueRuns } from './processor.js';
import type { LaneProtocol } from './protocol.js';
import type { InlineDrainOptions, MailboxItem } from './types.js';

/** A lane drained inline: its standby job (while heartbeats keep it in the future) and when the drain is over. */
type InlineRun = { job?: Job; done: Promise<void> };

/** Inline draining, while enabled: the drains running in this process, by owner job id. */
export type InlineState<T extends MailboxItem> = {
  options: InlineDrainOptions;
  config: DrainConfig<T>;
  stopping: boolean;
  running: Map<string, InlineRun>;
  heartbeat: NodeJS.Timeout;
};

export type InlineDrains<T extends MailboxItem> = ReturnType<typeof createInlineDrains<T>>;

export function createInlineDrains<T extends MailboxItem>(lanes: LaneProtocol, runs: QueueRuns) {
  let inline: InlineState<T> | undefined;

  /**
   * Inline draining, when enabled and this process's Workers are not working through drain jobs
   * of this mailbox. Under overload, lanes beyond `maxConcurrent` go to the queue; taking new
   * lanes inline again as soon as a slot frees would let them overtake the ones waiting there (a
   * fast p50, a slow p99), so until the Workers are idle again new lanes queue behind them.
   */
  const open = () => (inline && !inline.stopping && runs.count === 0 ? inline : undefined);

  function start(options: InlineDrainOptions, config: DrainConfig<T>): void {
    if (inline && !inline.stopping) return;
    const running = new Map<string, InlineRun>();
    // Keeps the standby job of every running drain in the future while this process lives.
    const heartbeat = setInterval(() => {
      for (const { job } of running.values()) job?.changeDelay(options.safetyMs).catch(() => undefined); // fired already: the drain is fenced out at its next step
    }, Math.max(10, Math.floor(options.safetyMs / 3)));
    heartbeat.unref();
    inline = { options, config, stopping: false, running, heartbeat };
  }

  async function stop(): Promise<void> {
    const state = inline;
    if (!state) return;
    state.stopping = true;
    await Promise.all([...state.running.values()].map((r) => r.done));
    clearInterval(state.heartbeat);
    if (inline === state) inline = undefined;
  }

  /** Drains `lane` here once `standbyJob` gives its drain job (undefined: there is none left, nothing to do); resolves once it has. */
  async function drainHere(state: InlineState<T>, lane: string, jobId: string, standbyJob: () => Promise<Job | undefined>): Promise<void> {
    let finish!: () => void;
    const run: InlineRun = { done: new Promise<void>((resolve) => (finish = resolve)) };
    state.running.set(jobId, run); // takes the slot before the await, so maxConcurrent holds
    const end = () => {
      state.running.delete(jobId);
      finish();
    };
    let job: Job | undefined;
    try {
      job = await standbyJob();
    } catch (err) {
      end();
      throw err;
    }
    if (!job) return end();
    run.job = job;
    void drainInline(state, lane, job, run).finally(end);
  }

  async function drainInline(state: InlineState<T>, lane: string, job: Job, run: InlineRun): Promise<void> {
    const result: DrainEnd = state.stopping
      ? { end: 'handoff' }
      : await drainLane(lanes, lane, job.id ?? '', `inline-${randomUUID()}`, state.config, () => state.stopping).catch((err: unknown) => {
          // Redis trouble: the lane stays owned, and its drain job resumes it when it fires.
          state.config.logger.warn({ err, lane, jobId: job.id }, 'inline drain failed; its drain job takes the lane over');
          return { end: 'not_owner' } as const;
        });
    run.job = undefined; // no more heartbeats: the job is now removed, released or set to its retry time
    const settle =
      result.end === 'empty' ? job.remove() : result.end === 'handoff' ? job.promote() : result.end === 'retry' ? job.changeDelay(result.delayMs) : undefined;
    // Fails only for a job that already fired (the drain was fenced out by it): that run has the lane.
    await settle?.catch(() => undefined);
  }

  return { open, start, stop, drainHere };
}
