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
/** -1: taken; else how many lanes wait for a slot of the subscription. */
const acquireScript = script('./acquire-slot.lua', (raw) => reply.integer(raw));
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
   * An in-flight slot of the subscription (`token`): taken at once, or passed on by a request of
   * this process that finishes (waiting here for it, when the wait looks short). When neither,
   * drain job `jobId` is registered to be woken when a slot frees, and `waitMs` is how long its
   * turn should take given the lanes waiting ahead and the subscription's request time: the
   * caller parks the lane about that long in case the wake-up is lost.
   */
  acquire(subscriptionId: string, jobId: string, queuedAtMs?: number): Promise<{ token: string } | { token?: undefined; waitMs: number }>;
  /** Passes the slot to a lane waiting here, or gives it back and wakes the lane that waited longest. */
  release(subscriptionId: string, token: string): Promise<void>;
}

/** A lane waits in the process for a slot when its turn should come within about this long… */
const LOCAL_WAIT_BUDGET_MS = 1_000;
/** …and at most this many lanes of one subscription wait so (each holds one of the process's lanes). */
const MAX_LOCAL_WAITERS = 64;
/** A slot passed on within this long of its last renewal in Redis is passed without a round trip. */
const PASS_RENEW_MS = 2_000;

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
  /**
   * The Redis round trips a busy subscription can do without: slots held here per subscription,
   * when each slot's lapse time was last renewed in Redis, and whether lanes may be parked in its
   * waiting list (one parked here, or the last script found one).
   */
  const heldHere = new Map<string, number>();
  const renewedAt = new Map<string, number>();
  const mayHaveParked = new Map<string, boolean>();

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

  /**
   * Promotes the parked drain job. One not parked yet is tried again shortly: a Worker's run still
   * finishing (active), or an inline drain, whose lane has no job until the drain ends with its
   * retry and adds it delayed (queues/mailbox/inline.ts) — a wake-up that came first would be lost.
   */
  async function wake(jobId: string): Promise<void> {
    for (let round = 0; round < 5; round++) {
      const job = await opts.queue.getJob(jobId);
      const state = job ? await job.getState() : 'missing';
      if (job && state === 'delayed') return void (await job.promote());
      if (state !== 'active' && state !== 'missing') return;
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
    async acquire(subscriptionId, jobId, queuedAtMs) {
      const token = randomUUID();
      const taken = () => {
        heldHere.set(subscriptionId, (heldHere.get(subscriptionId) ?? 0) + 1);
        renewedAt.set(token, Date.now());
        return { token: held(token) };
      };
      // Lanes already wait here for a slot this process holds: the cap is reached, queue behind them
      // without asking Redis (one script call less per delivery for a subscription at its cap).
      const busyHere = (local.get(subscriptionId)?.length ?? 0) > 0 && (heldHere.get(subscriptionId) ?? 0) > 0;
      if (!busyHere && (await acquireScript.run(opts.redis, keys(subscriptionId), [token, Date.now(), opts.slotTtlMs, opts.cap, '', 0])) === -1) return taken();
      if ((local.get(subscriptionId)?.length ?? 0) < maxLocalWaiters(subscriptionId)) {
        const passed = await waitHere(subscriptionId);
        if (passed) return { token: held(passed) };
      }
      // Park: registered as a waiter (or, if a slot freed meanwhile, take it).
      const now = Date.now();
      const waiting = await acquireScript.run(opts.redis, keys(subscriptionId), [token, now, opts.slotTtlMs, opts.cap, jobId, queuedAtMs ?? now]);
      if (waiting === -1) return taken();
      mayHaveParked.set(subscriptionId, true);
      // Its turn comes after the lanes ahead, `cap` at a time (unknown request time: a second each).
      return { waitMs: Math.round((waiting * (requestMs.get(subscriptionId) ?? 1_000)) / opts.cap) };
    },
    async release(subscriptionId, token) {
      took(subscriptionId, token);
      const waiters = local.get(subscriptionId);
      const next = waiters?.shift();
      if (waiters && waiters.length === 0) local.delete(subscriptionId);
      if (next) {
        // The slot goes on to a lane waiting here. Redis is told (the slot's lapse time renewed, a
        // parked lane woken to take that lane's waiting place) when lanes may be parked, or when
        // the slot was renewed over 2 s ago (a slot lives the request timeout + 5 s: renewed at most
        // 2 s before a request starts, it outlives the request); otherwise the pass stays here.
        if (Date.now() - (renewedAt.get(token) ?? 0) < Math.min(PASS_RENEW_MS, opts.slotTtlMs / 3) && !mayHaveParked.get(subscriptionId)) return next(token);
        const waiter = await passScript.run(opts.redis, keys(subscriptionId), [token, Date.now(), opts.slotTtlMs, 1]);
        renewedAt.set(token, Date.now());
        mayHaveParked.set(subscriptionId, waiter !== '');
        next(token);
        wakeSoon(waiter);
        return;
      }
      renewedAt.delete(token);
      const count = (heldHere.get(subscriptionId) ?? 1) - 1;
      if (count > 0) heldHere.set(subscriptionId, count);
      else heldHere.delete(subscriptionId);
      const waiter = await releaseScript.run(opts.redis, keys(subscriptionId), [token]);
      if (waiter === '') mayHaveParked.delete(subscriptionId);
      else mayHaveParked.set(subscriptionId, true);
      wakeSoon(waiter);
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
