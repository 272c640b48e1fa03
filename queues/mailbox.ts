import { DelayedError, type Job, type Processor, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/logging/logger.js';
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
  job: Job;
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

export interface Mailbox<T extends MailboxItem> {
  readonly name: string;
  push(requests: PushRequest<T>[]): Promise<PushResult[]>;
  /** The BullMQ processor for this mailbox's queue. */
  processor(handler: MailboxHandler<T>, logger: Logger, options?: DrainOptions): Processor;
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
    await addDrainJobs(replies.flatMap(([, jobId], i) => (jobId ? [{ lane: requests[i]!.lane, jobId }] : [])));
    return replies.map(([status]) => (status === 1 ? 'queued' : 'duplicate'));
  }

  function processor(handler: MailboxHandler<T>, logger: Logger, options: DrainOptions = {}): Processor {
    const maxAttempts = options.maxAttempts ?? 8;
    const maxItems = options.maxItemsPerJob ?? 50;
    const baseBackoffMs = options.baseBackoffMs ?? 500;
    return async (job, token) => {
      const lane = (job.data as { lane: string }).lane;
      const jobId = job.id ?? '';
      const laneKeys = [k.list(lane), k.owner(lane), k.scheduled, k.attempts];
      const claim = `${jobId}|${token ?? 'none'}`;
      let head = (await headScript.run(redis, laneKeys, [jobId, lane, token ?? 'none'])) as HeadReply;
      for (let done = 0; done < maxItems; done++) {
        if (head[0] !== 'item') return head[0];
        const item = JSON.parse(head[1]) as T;
        const attempt = Number(head[2]) + 1;
        let log: Logger | undefined;
        // Built on first use: most items never log, and a child logger per item is measurable at 1,000 msg/s.
        const ctx: HandlerContext = {
          lane,
          job,
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
            return await retryLater(job, token, outcome.retryAfterMs);
          }
        } catch (err) {
          if (err instanceof DelayedError) throw err;
          if (attempt < maxAttempts) {
            await redis.hincrby(k.attempts, item.id, 1);
            ctx.logger.warn({ err }, 'mailbox item failed; retrying it before anything behind it');
            // Per-item backoff (not BullMQ's per-job attempts, which would grow across the items a job drains).
            return await retryLater(job, token, Math.min(baseBackoffMs * 2 ** (attempt - 1), 60_000));
          }
          ctx.logger.error({ err }, 'mailbox item failed too many times; moved to dead letters');
          options.onDeadLetter?.(item, lane, err);
          deadEntry = JSON.stringify({ lane, item, error: err instanceof Error ? err.message : String(err), at: new Date().toISOString() });
        }
        head = (await advanceScript.run(redis, [...laneKeys, k.dead], [claim, lane, item.id, deadEntry])) as HeadReply;
      }
      if (head[0] !== 'item') return head[0];
      const nextId = (await handoffScript.run(redis, [k.owner(lane), k.seq, k.scheduled], [claim, JOB_ID_PREFIX, lane, Date.now()])) as string;
      if (nextId) await addDrainJobs([{ lane, jobId: nextId }]);
      return 'handed_off';
    };
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
    repairOwners,
    depth: (lane) => redis.llen(k.list(lane)),
    async deadLetters(limit = 100) {
      return (await redis.lrange(k.dead, 0, limit - 1)).map((raw) => JSON.parse(raw));
    },
  };
}
