/**
 * The delivery state every process shares, in Redis: each subscription's in-flight slots (the
 * concurrency cap), the lanes waiting for one, each delivery's failed attempts (for the backoff and
 * the 24 h limit) and each subscription's failure streak (the 3-day rule).
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logging/logger.js';
import { defineScript, reply } from '../platform/redis/script.js';

const script = <T>(file: string, parse: (raw: unknown) => T) => defineScript(new URL(file, import.meta.url), parse);
const acquireScript = script('./acquire-slot.lua', (raw) => reply.integer(raw) === 1);
const releaseScript = script('./release-slot.lua', reply.string);
const passScript = script('./pass-slot.lua', reply.string);
const pair = (raw: unknown): [number, number] => {
  const [a, b] = reply.array(raw);
  return [reply.integer(a), Number(reply.string(b))];
};
const countFailureScript = script('./count-failure.lua', pair);
const streakScript = script('./streak.lua', pair);

export interface SlotLimiter {
  /**
   * An in-flight slot of the subscription: taken at once, passed on by a request of this process
   * that finishes (waiting here for it, when the wait looks short), or — when neither — undefined,
   * with drain job `jobId` registered to be woken when a slot frees.
   */
  acquire(subscriptionId: string, jobId: string): Promise<string | undefined>;
  /** Passes the slot to a lane waiting here, or gives it back and wakes the lane that waited longest. */
  release(subscriptionId: string, token: string): Promise<void>;
}

/** A lane waits in the process for a slot when its turn should come within about this long… */
const LOCAL_WAIT_BUDGET_MS = 1_000;
/** …and at most this many lanes of one subscription wait so (each holds one of the process's lanes). */
const MAX_LOCAL_WAITERS = 64;

/**
 * The per-subscription concurrency cap, shared by every process: at most `cap` requests in flight
 * to one subscription, so a slow endpoint holds a handful of worker slots and never the process's
 * lanes. Slots live in Redis and lapse after `slotTtlMs` (a killed process).
 *
 * A lane that finds the cap reached waits in this process for one of its requests to that
 * subscription to finish and pass its slot on (no Redis release, no queue hop: a busy fast endpoint
 * stays at its cap), as long as its turn looks near: the lanes waiting here are limited to what the
 * subscription's recent request times say `cap` slots serve in about a second (a fast endpoint:
 * up to 64; a slow one: 1). Beyond that a lane parks its drain job (the mailbox's retry-later) and
 * registers in the subscription's waiting list in Redis, and each slot released or passed on wakes
 * the oldest parked lane by promoting its job (a job still finishing its run is tried again for a
 * moment). A wake-up lost anyway only costs that lane the caller's fallback delay.
 */
export function createSlotLimiter(opts: { redis: Redis; base: string; queue: Queue; cap: number; slotTtlMs: number; logger: Logger }): SlotLimiter {
  const keys = (id: string) => [`${opts.base}:inflight:${id}`, `${opts.base}:waiting:${id}`];
  /** Lanes of this process waiting for a slot of the subscription, oldest first. */
  const local = new Map<string, ((token: string | undefined) => void)[]>();
  /** When each slot held here started its current request, and each subscription's typical request time (EWMA, ms). */
  const heldSince = new Map<string, number>();
  const requestMs = new Map<string, number>();

  const maxLocalWaiters = (subscriptionId: string) => {
    const ms = requestMs.get(subscriptionId);
    if (ms === undefined) return opts.cap;
    return Math.max(1, Math.min(MAX_LOCAL_WAITERS, Math.floor((opts.cap * LOCAL_WAIT_BUDGET_MS) / Math.max(ms, 1))));
  };
  const took = (subscriptionId: string, token: string) => {
    const since = heldSince.get(token);
    heldSince.delete(token);
    if (since === undefined) return;
    const ms = Date.now() - since;
    const previous = requestMs.get(subscriptionId);
    requestMs.set(subscriptionId, previous === undefined ? ms : previous * 0.8 + ms * 0.2);
    if (requestMs.size > 10_000) requestMs.clear();
  };

  /** Promotes the parked drain job; one still finishing its run (not parked yet) is tried again shortly. */
  async function wake(jobId: string): Promise<void> {
    for (let round = 0; round < 4; round++) {
      const job = await opts.queue.getJob(jobId);
      if (!job) return;
      const state = await job.getState();
      if (state === 'delayed') return void (await job.promote());
      if (state !== 'active') return;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
    }
  }
  const wakeSoon = (waiter: string) => {
    if (waiter) void wake(waiter).catch((err: unknown) => opts.logger.debug({ err, jobId: waiter }, 'webhook lane wake-up skipped'));
  };

  function waitHere(subscriptionId: string): Promise<string | undefined> {
    let queue = local.get(subscriptionId);
    if (!queue) local.set(subscriptionId, (queue = []));
    const waiters = queue;
    return new Promise((resolve) => {
      // A slot is passed on within one request's time; past that something is off: park instead.
      const timer = setTimeout(() => {
        const at = waiters.indexOf(take);
        if (at >= 0) waiters.splice(at, 1);
        resolve(undefined);
      }, opts.slotTtlMs);
      const take = (token: string | undefined) => {
        clearTimeout(timer);
        resolve(token);
      };
      waiters.push(take);
    });
  }

  const held = (token: string) => {
    heldSince.set(token, Date.now());
    return token;
  };

  return {
    async acquire(subscriptionId, jobId) {
      const token = randomUUID();
      if (await acquireScript.run(opts.redis, keys(subscriptionId), [token, Date.now(), opts.slotTtlMs, opts.cap, ''])) return held(token);
      if ((local.get(subscriptionId)?.length ?? 0) < maxLocalWaiters(subscriptionId)) {
        const passed = await waitHere(subscriptionId);
        if (passed) return held(passed);
      }
      // Park: registered as a waiter (or, if a slot freed meanwhile, take it).
      return (await acquireScript.run(opts.redis, keys(subscriptionId), [token, Date.now(), opts.slotTtlMs, opts.cap, jobId])) ? held(token) : undefined;
    },
    async release(subscriptionId, token) {
      took(subscriptionId, token);
      const waiters = local.get(subscriptionId);
      const next = waiters?.shift();
      if (waiters && waiters.length === 0) local.delete(subscriptionId);
      if (next) {
        // The slot goes on to a lane waiting here; a parked lane is woken to take that lane's waiting place.
        const waiter = await passScript.run(opts.redis, keys(subscriptionId), [token, Date.now(), opts.slotTtlMs, 1]);
        next(token);
        wakeSoon(waiter);
        return;
      }
      wakeSoon(await releaseScript.run(opts.redis, keys(subscriptionId), [token]));
    },
  };
}

export interface RetryState {
  /** Counts a failed attempt of the delivery: how many so far, and when the first was (ms). */
  countFailure(deliveryId: string, nowMs: number): Promise<{ count: number; firstMs: number }>;
  /** Forgets a delivery that is done (delivered or given up). */
  clear(deliveryId: string): Promise<void>;
  /** A failed attempt to the subscription: when its failure streak started, and whether this one started it. */
  failure(subscriptionId: string, nowMs: number): Promise<{ started: boolean; sinceMs: number }>;
  /** A success: ends the subscription's streak; whether there was one. */
  success(subscriptionId: string): Promise<boolean>;
}

export function createRetryState(redis: Redis, base: string): RetryState {
  const failures = `${base}:failures`;
  const streak = (id: string) => `${base}:streak:${id}`;
  return {
    async countFailure(deliveryId, nowMs) {
      const [count, firstMs] = await countFailureScript.run(redis, [failures], [deliveryId, nowMs]);
      return { count, firstMs };
    },
    async clear(deliveryId) {
      await redis.hdel(failures, deliveryId);
    },
    async failure(subscriptionId, nowMs) {
      const [started, sinceMs] = await streakScript.run(redis, [streak(subscriptionId)], [nowMs]);
      return { started: started === 1, sinceMs };
    },
    async success(subscriptionId) {
      return (await redis.del(streak(subscriptionId))) > 0;
    },
  };
}
