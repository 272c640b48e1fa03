import type { Context, MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import { defineScript, reply } from '../redis/script.js';
import { AppError } from './errors.js';
import type { AppEnv } from './types.js';

/**
 * A request budget per key (the business API: per organization), shared by every process through
 * Redis.
 *
 * Algorithm: a fixed window in Redis' clock. One Lua script (rate-limit.lua) reads `TIME`, works
 * out the window number and, atomically, counts the request in that window's counter unless it is
 * already at the limit. Why this one:
 * - the total per window is exact across any number of processes (a single atomic counter, no
 *   local state, refused requests not counted), and the processes' own clocks play no part, so a
 *   skewed host neither gets a budget of its own nor shifts the windows;
 * - it is O(1) in time and memory per organization (one small hash that expires on its own), where
 *   a sliding log keeps up to `limit` timestamps (1,000 zset members per organization) per window;
 * - `RateLimit-Reset` / `Retry-After` are exact: the window ends at the same instant for everyone.
 * GCRA would smooth bursts, but its count over a fixed minute is not exact (it allows the burst
 * tolerance on top of the rate). The price of a fixed window is the boundary: a client can spend a
 * window's budget at its end and the next one's at its start (up to 2 × limit over a rolling
 * minute straddling the boundary); for a per-minute quota of a business API that is acceptable,
 * and each calendar window still never exceeds the limit.
 */
const takeScript = defineScript(new URL('./rate-limit.lua', import.meta.url), (raw) => {
  const [allowed, count, resetMs] = reply.array(raw).map(reply.integer);
  if ((allowed !== 0 && allowed !== 1) || count === undefined || resetMs === undefined) throw new TypeError('expected {0|1, count, resetMs}');
  return { allowed: allowed === 1, count, resetMs };
});

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Milliseconds until the current window ends (in Redis' clock). */
  resetMs: number;
}

export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Counts one request against `key`'s budget; rejects when Redis cannot be reached. */
  take(key: string): Promise<RateLimitDecision>;
}

export function createRateLimiter(opts: { redis: Redis; keyPrefix: string; limit: number; windowMs: number }): RateLimiter {
  const { redis, keyPrefix, limit, windowMs } = opts;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError(`rate-limit window must be a positive number of ms, got ${windowMs}`);
  return {
    limit,
    windowMs,
    async take(key) {
      const { allowed, count, resetMs } = await takeScript.run(redis, [`${keyPrefix}:rl:${key}`], [limit, windowMs]);
      return { allowed, limit, remaining: Math.max(0, limit - count), resetMs };
    },
  };
}

/** Whole seconds until `resetMs` has passed, at least 1 (a client told 0 would retry at once). */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Limits the routes it is applied to, per `keyOf(c)` (e.g. the organization id set by the API-key
 * check, so it must run after authentication); a request whose key is `undefined` is not limited.
 *
 * Every response of the limited routes carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (seconds until the window ends; IETF draft-ietf-httpapi-ratelimit-headers).
 * A request over the budget is answered 429 RATE_LIMITED with `Retry-After` (the same seconds): the
 * headers are set on the context before throwing, and the error handler's `c.json` keeps the
 * context's headers, so the 429 carries them too (a test checks it through `createErrorHandler`).
 *
 * Redis down: fails closed, answering 503 SERVICE_UNAVAILABLE with `Retry-After: 1`. The rest of
 * Puente already answers 503 without Redis (and the business API's writes need Redis anyway);
 * failing open would lift the limit exactly when the system is degraded, letting one organization's
 * unmetered burst reach MongoDB and the Cloud API's per-number rate. The command connection fails
 * fast while Redis is down (no offline queue), so a request is not held waiting for it.
 */
export function rateLimit(limiter: RateLimiter, keyOf: (c: Context<AppEnv>) => string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = keyOf(c);
    if (key === undefined) return next();
    let decision: RateLimitDecision;
    try {
      decision = await limiter.take(key);
    } catch (err) {
      c.get('logger')?.warn({ err }, 'rate limiter unavailable; refusing the request');
      c.header('Retry-After', '1');
      throw new AppError('SERVICE_UNAVAILABLE', 'The rate limiter is unavailable; retry later');
    }
    const headers: [string, string][] = [
      ['RateLimit-Limit', String(decision.limit)],
      ['RateLimit-Remaining', String(decision.remaining)],
      ['RateLimit-Reset', String(seconds(decision.resetMs))],
    ];
    for (const [name, value] of headers) c.header(name, value);
    if (!decision.allowed) {
      c.header('Retry-After', String(seconds(decision.resetMs)));
      throw new AppError('RATE_LIMITED', `Rate limit of ${decision.limit} requests per ${limiter.windowMs / 1000} s exceeded; retry after the window resets`, {
        limit: decision.limit,
        retryAfterSeconds: seconds(decision.resetMs),
      });
    }
    await next();
    // A handler that returned its own Response (not through c.json/c.body) dropped the context's headers.
    for (const [name, value] of headers) if (!c.res.headers.has(name)) c.header(name, value);
  };
}
