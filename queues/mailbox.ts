import { randomUUID } from 'node:crypto';
import { DelayedError, Job, type Processor, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/platform/logging/logger.js';
import { addJobs } from './registry.js';
import { advanceScript, handoffScript, headScript, pushScript } from './mailbox-scripts.js';

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
 * its job. Its drain job is still added, delayed, as the safety net: the drain keeps pushing it
 * back while this process lives, and if the process dies the job fires and a Worker resumes the
 * lane at its head item, as after a stalled job. Retries, fairness hand-offs and shutdown hand the
 * lane to that job. A process that pushes without running the workers itself (the HTTP process of
 * `PUENTE_ROLE=all` with forked worker processes) can delegate: it adds the delayed job and asks
 * a worker process to `adopt` the lane, which drains it inline the same way.
 */

export interface MailboxItem {
  /** Stable id: dedupe, attempt counting and idempotency key for the handler. */
  id: string;
}

export interface PushRequest<T extends MailboxItem> {
  lane: string;
  item: T;
  /** Accept the item once per key within `dedupeTtlSeconds` (atomic with the append). Namespaced per mailbox. */
  dedupeKey?: string;
  dedupeTtlSeconds?: number;
  /** Keep the largest value seen in `mark.key` (e.g. the last inbound time for the 24 h window). */
  mark?: { key: string; value: number; ttlSeconds: number };
}

export type PushResult = 'queued' | 'duplicate';

export interface HandlerContext {
  lane: string;
  /** The lane's drain job (delayed, standing by, while the lane is drained inline). */
  jobId: string;
  /** 1 for the first try of this item. */
  attempt: number;
  /** Identifies this run of the drain job (job id + BullMQ lock token), for fencing side effects. */
  claim: string;
  logger: Logger;
}

/** What a handler may ask for instead of succeeding: try this item again later without counting an attempt. */
export interface HandlerOutcome {
  retryAfterMs?: number;
}

export type MailboxHandler<T extends MailboxItem> = (item: T, ctx: HandlerContext) => Promise<HandlerOutcome | void>;

export interface DrainOptions {
  /** After this many failed attempts an item goes to the dead-letter list and the lane moves on. */
  maxAttempts?: number;
  /** Items one job drains before handing the lane to a fresh job at the back of the queue. */
  maxItemsPerJob?: number;
  onDeadLetter?: (item: MailboxItem, lane: string, error: unknown) => void;
  /** First retry delay of a failing item; doubles per attempt, capped at 60 s. */
  baseBackoffMs?: number;
}

export interface InlineDrainOptions {
  /**
   * How long the standby job (the delayed drain job) behind an inline drain waits: a dead process's lanes resume
   * on another worker after about this long. Pushed back every third of it while the process
   * lives (BullMQ's `lockDuration` plays the same part for a running job).
   */
  safetyMs: number;
  /** Most lanes drained inline at once; a lane opened beyond that gets a plain drain job. */
  maxConcurrent: number;
}

/** Where a process that does not drain inline itself sends the lanes its pushes open (see `delegateInline`). */
export interface InlineDelegate {
  /** The delayed drain job's wait: the adopting process's `safetyMs`. */
  safetyMs: number;
  /** Asks a process draining this mailbox inline to adopt the lane; false when none can be asked now. */
  send(lane: string, jobId: string): boolean;
}

export interface Mailbox<T extends MailboxItem> {
  readonly name: string;
  push(requests: PushRequest<T>[]): Promise<PushResult[]>;
  /** The BullMQ processor for this mailbox's queue; also the handler inline drains use. */
  processor(handler: MailboxHandler<T>, logger: Logger, options?: DrainOptions): Processor;
  /** Drains lanes opened by pushes from this process here (see the module comment). Needs `processor` first. */
  startInline(options: InlineDrainOptions): void;
  /** Stops draining inline: running drains hand their lane to its drain job after the current item. */
  stopInline(): Promise<void>;
  /** Lanes opened by pushes here are drained inline by another process (undefined: by a drain job, as usual). */
  delegateInline(delegate: InlineDelegate | undefined): void;
  /**
   * Drains inline a lane another process opened and delegated here (its drain job waits, delayed);
   * if this process cannot take it now, the job is released to the Workers at once.
   */
  adopt(lane: string, jobId: string): Promise<void>;
  /** Re-adds drain jobs that were lost (a producer died between its script and `queue.add`). */
  repairOwners(olderThanMs?: number): Promise<number>;
  depth(lane: string): Promise<number>;
  deadLetters(limit?: number): Promise<{ lane: string; item: T; error: string; at: string }[]>;
}

const DRAIN_JOB = 'drain';

/** What headScript/advanceScript answer: the lane's next item with its failed-attempt count, or why there is none. */
type HeadReply = ['item', string, string] | ['empty'] | ['not_owner'];

/** Parks the drain job (keeping lane ownership) until `delayMs` from now; the head item stays in place. */
async function retryLater(job: Job, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}
const JOB_ID_PREFIX = 'd-';

export function createMailbox<T extends MailboxItem>(opts: { name: string; redis: Redis; queue: Queue; keyPrefix: string }): Mailbox<T> {
  const { redis, queue } = opts;
  const base = `${opts.keyPrefix}:mb:${opts.name}`;
  const k = {
    list: (lane: string) => `${base}:q:${lane}`,
    owner: (lane: string) => `${base}:owner:${lane}`,
    seq: `${base}:seq`,
    scheduled: `${base}:scheduled`,
    attempts: `${base}:attempts`,
    dead: `${base}:dead`,
  };
  type DrainConfig = { handler: MailboxHandler<T>; logger: Logger; options: DrainOptions };
  const drainJobOptions = { removeOnComplete: true, removeOnFail: { age: 7 * 86_400 }, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } };

  async function addDrainJobs(entries: { lane: string; jobId: string }[]): Promise<void> {
    await addJobs(queue, entries.map(({ lane, jobId }) => ({ name: DRAIN_JOB, data: { lane }, opts: { ...drainJobOptions, jobId } })));
  }

  async function push(requests: PushRequest<T>[]): Promise<PushResult[]> {
    const now = Date.now();
    const replies = await Promise.all(
      requests.map(({ lane, item, dedupeKey, dedupeTtlSeconds, mark }) =>
        pushScript.run(
          redis,
          [k.list(lane), k.owner(lane), k.seq, k.scheduled, dedupeKey ? `${base}:dd:${dedupeKey}` : k.list(lane), mark?.key ?? k.list(lane)],
          [JSON.stringify(item), now, JOB_ID_PREFIX, lane, dedupeKey ? (dedupeTtlSeconds ?? 604_800) : 0, mark?.value ?? 0, mark?.ttlSeconds ?? 0],
        ) as Promise<[number, string]>,
      ),
    );
    const opened = replies.flatMap(([, jobId], i) => (jobId ? [{ lane: requests[i]!.lane, jobId }] : []));
    if (opened.length > 0) {
      const state = openForInline();
      const here = state ? opened.slice(0, Math.max(0, state.options.maxConcurrent - state.running.size)) : [];
      const elsewhere = opened.slice(here.length);
      const started = state ? here.map(({ lane, jobId }) => drainHere(state, lane, jobId, () => addStandbyJob(lane, jobId, state.options.safetyMs))) : [];
      await Promise.all([delegate && !state ? delegateDrains(delegate, elsewhere) : addDrainJobs(elsewhere), ...started]);
    }
    return replies.map(([status]) => (status === 1 ? 'queued' : 'duplicate'));
  }

  /** How a drain stopped: lane empty (released), fenced out, due for a hand-off, or its head item to retry later. */
  type DrainEnd = { end: 'empty' | 'not_owner' | 'handoff' } | { end: 'retry'; delayMs: number };

  /**
   * Drains `lane` as run `token` of owner job `jobId`, the same for a BullMQ run and an inline
   * drain; the caller carries out how it ended. `stop` is asked before each further item.
   */
  async function drainLane(lane: string, jobId: string, token: string, config: DrainConfig, stop: () => boolean): Promise<DrainEnd> {
    const { handler, logger, options } = config;
    const maxAttempts = options.maxAttempts ?? 8;
    const maxItems = options.maxItemsPerJob ?? 50;
    const baseBackoffMs = options.baseBackoffMs ?? 500;
    const laneKeys = [k.list(lane), k.owner(lane), k.scheduled, k.attempts];
    const claim = `${jobId}|${token}`;
    let head = (await headScript.run(redis, laneKeys, [jobId, lane, token])) as HeadReply;
    for (let done = 0; done < maxItems; done++) {
      if (head[0] !== 'item') return { end: head[0] };
      if (done > 0 && stop()) return { end: 'handoff' };
      const item = JSON.parse(head[1]) as T;
      const attempt = Number(head[2]) + 1;
      let log: Logger | undefined;
      // Built on first use: most items never log, and a child logger per item is measurable at 1,000 msg/s.
      const ctx: HandlerContext = {
        lane,
        jobId,
        attempt,
        claim,
        get logger() {
          return (log ??= logger.child({ jobId, lane, itemId: item.id, attempt }));
        },
      };
      let deadEntry = '';
      try {
        const outcome = await handler(item, ctx);
        if (outcome?.retryAfterMs !== undefined) {
          await redis.hincrby(k.attempts, item.id, 1);
          return { end: 'retry', delayMs: outcome.retryAfterMs };
        }
      } catch (err) {
        if (attempt < maxAttempts) {
          await redis.hincrby(k.attempts, item.id, 1);
          ctx.logger.warn({ err }, 'mailbox item failed; retrying it before anything behind it');
          // Per-item backoff (not BullMQ's per-job attempts, which would grow across the items a job drains).
          return { end: 'retry', delayMs: Math.min(baseBackoffMs * 2 ** (attempt - 1), 60_000) };
        }
        ctx.logger.error({ err }, 'mailbox item failed too many times; moved to dead letters');
        options.onDeadLetter?.(item, lane, err);
        deadEntry = JSON.stringify({ lane, item, error: err instanceof Error ? err.message : String(err), at: new Date().toISOString() });
      }
      head = (await advanceScript.run(redis, [...laneKeys, k.dead], [claim, lane, item.id, deadEntry])) as HeadReply;
    }
    return head[0] === 'item' ? { end: 'handoff' } : { end: head[0] };
  }

  let drainConfig: DrainConfig | undefined;

  function processor(handler: MailboxHandler<T>, logger: Logger, options: DrainOptions = {}): Processor {
    const config: DrainConfig = { handler, logger, options };
    drainConfig = config;
    return async (job, token) => {
      const lane = (job.data as { lane: string }).lane;
      const jobId = job.id ?? '';
      queueRuns++;
      try {
        const result = await drainLane(lane, jobId, token ?? 'none', config, () => false);
        if (result.end === 'retry') return await retryLater(job, token, result.delayMs);
        if (result.end !== 'handoff') return result.end;
        const nextId = (await handoffScript.run(redis, [k.owner(lane), k.seq, k.scheduled], [`${jobId}|${token ?? 'none'}`, JOB_ID_PREFIX, lane, Date.now()])) as string;
        if (nextId) await addDrainJobs([{ lane, jobId: nextId }]);
        return 'handed_off';
      } finally {
        queueRuns--;
      }
    };
  }

  /** Drain jobs of this mailbox running in this process's Workers right now. */
  let queueRuns = 0;

  /**
   * Inline draining, when enabled and this process's Workers are not working through drain jobs
   * of this mailbox. Under overload, lanes beyond `maxConcurrent` go to the queue; taking new
   * lanes inline again as soon as a slot frees would let them overtake the ones waiting there (a
   * fast p50, a slow p99), so until the Workers are idle again new lanes queue behind them.
   */
  const openForInline = () => (inline && !inline.stopping && queueRuns === 0 ? inline : undefined);

  /** Inline draining, while enabled: the drains running in this process, by owner job id. */
  type InlineState = { options: InlineDrainOptions; config: DrainConfig; stopping: boolean; running: Map<string, InlineRun>; heartbeat: NodeJS.Timeout };
  let inline: InlineState | undefined;

  function startInline(options: InlineDrainOptions): void {
    if (!drainConfig) throw new Error(`mailbox ${opts.name}: startInline needs processor() first`);
    if (inline && !inline.stopping) return;
    const running = new Map<string, InlineRun>();
    // Keeps the standby job of every running drain in the future while this process lives.
    const heartbeat = setInterval(() => {
      for (const { job } of running.values()) job?.changeDelay(options.safetyMs).catch(() => undefined); // fired already: the drain is fenced out at its next step
    }, Math.max(10, Math.floor(options.safetyMs / 3)));
    heartbeat.unref();
    inline = { options, config: drainConfig, stopping: false, running, heartbeat };
  }

  async function stopInline(): Promise<void> {
    const state = inline;
    if (!state) return;
    state.stopping = true;
    await Promise.all([...state.running.values()].map((r) => r.done));
    clearInterval(state.heartbeat);
    if (inline === state) inline = undefined;
  }

  type InlineRun = { job?: Job; done: Promise<void> };

  /** The standby job of a lane drained inline: its drain job, delayed by `safetyMs`, the lane's safety net. */
  const addStandbyJob = (lane: string, jobId: string, safetyMs: number) => queue.add(DRAIN_JOB, { lane }, { ...drainJobOptions, jobId, delay: safetyMs });

  /** Drains `lane` here once `standbyJob` gives its drain job (undefined: there is none left, nothing to do); resolves once it has. */
  async function drainHere(state: InlineState, lane: string, jobId: string, standbyJob: () => Promise<Job | undefined>): Promise<void> {
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

  let delegate: InlineDelegate | undefined;

  /** Adds the drain jobs of lanes opened here delayed, and asks another process to drain them now. */
  async function delegateDrains(to: InlineDelegate, entries: { lane: string; jobId: string }[]): Promise<void> {
    await Promise.all(
      entries.map(async ({ lane, jobId }) => {
        const job = await addStandbyJob(lane, jobId, to.safetyMs);
        // Nobody to ask (a worker process restarting): the Workers take it, as without delegation.
        if (!to.send(lane, jobId)) await job.promote().catch(() => undefined);
      }),
    );
  }

  async function adopt(lane: string, jobId: string): Promise<void> {
    const open = openForInline();
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
    await drainHere(state, lane, jobId, async () => {
      const job = await Job.fromId(queue, jobId);
      // A request that took half the standby time to get here is not taken: its job may fire any
      // moment, and a Worker must not start the lane's head item while this process runs it too.
      return job && Date.now() - job.timestamp < state.options.safetyMs / 2 ? job : release(job);
    });
  }

  async function drainInline(state: InlineState, lane: string, job: Job, run: InlineRun): Promise<void> {
    const result: DrainEnd = state.stopping
      ? { end: 'handoff' }
      : await drainLane(lane, job.id ?? '', `inline-${randomUUID()}`, state.config, () => state.stopping).catch((err: unknown) => {
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

  async function repairOwners(olderThanMs = 30_000): Promise<number> {
    const lanes = await redis.zrangebyscore(k.scheduled, '-inf', Date.now() - olderThanMs, 'LIMIT', 0, 500);
    let repaired = 0;
    for (const lane of lanes) {
      const ownerId = (await redis.get(k.owner(lane)))?.split('|')[0];
      if (!ownerId) {
        await redis.zrem(k.scheduled, lane);
        continue;
      }
      const job = await queue.getJob(ownerId);
      if (!job) {
        await addDrainJobs([{ lane, jobId: ownerId }]);
        repaired++;
      } else if (await job.isFailed()) {
        await job.retry();
        repaired++;
      }
      await redis.zadd(k.scheduled, Date.now(), lane);
    }
    return repaired;
  }

  return {
    name: opts.name,
    push,
    processor,
    startInline,
    stopInline,
    delegateInline: (to) => void (delegate = to),
    adopt,
    repairOwners,
    depth: (lane) => redis.llen(k.list(lane)),
    async deadLetters(limit = 100) {
      return (await redis.lrange(k.dead, 0, limit - 1)).map((raw) => JSON.parse(raw));
    },
  };
}
