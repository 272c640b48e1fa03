import type { Redis } from 'ioredis';

/** Result of counting one failed authentication. */
export interface AuthFailure {
  /** Failures counted so far in the current window (including this one). */
  failures: number;
  locked: boolean;
  /** ISO time the lock ends, when `locked`. */
  until?: string;
}

/**
 * Counts wrong document numbers per conversation, in Redis under its own key so the count
 * survives session expiry and restarts: `maxFailures` failures lock authentication for
 * `lockSeconds`. Each failure restarts the window, so failures less than `lockSeconds` apart add up.
 */
export interface AuthLock {
  readonly maxFailures: number;
  /** The ISO time the lock ends, or undefined when the user may authenticate. */
  isLocked(key: string): Promise<string | undefined>;
  recordFailure(key: string): Promise<AuthFailure>;
  /** Forgets the failures (after a successful authentication). */
  clear(key: string): Promise<void>;
}

export interface AuthLockOptions {
  redis: Redis;
  keyPrefix: string;
  /** Default 3: three wrong documents lock authentication for 15 minutes (docs/bot.md). */
  maxFailures?: number;
  /** Default 900 (15 minutes). */
  lockSeconds?: number;
  now?: () => Date;
}

/** Redis-backed {@link AuthLock}: `<keyPrefix>:auth-failures:<conversation key>` → count, with TTL. */
export function createAuthLock(options: AuthLockOptions): AuthLock {
  const { redis, keyPrefix } = options;
  const maxFailures = options.maxFailures ?? 3;
  const lockSeconds = options.lockSeconds ?? 900;
  const now = options.now ?? (() => new Date());
  const redisKey = (key: string): string => `${keyPrefix}:auth-failures:${key}`;
  const untilIn = (ms: number): string => new Date(now().getTime() + ms).toISOString();

  return {
    maxFailures,

    async isLocked(key) {
      // Nearly every user has no failures: one GET answers. The TTL is read only at the limit (a
      // key that expires in between reads as -2, i.e. unlocked, which is then true).
      if (Number((await redis.get(redisKey(key))) ?? 0) < maxFailures) return undefined;
      const ttlMs = await redis.pttl(redisKey(key));
      return ttlMs > 0 ? untilIn(ttlMs) : undefined;
    },

    async recordFailure(key) {
      // One MULTI: the increment and the expiry land together, so a crash cannot leave a count without TTL.
      const [count] = await execPair(redis.multi().incr(redisKey(key)).expire(redisKey(key), lockSeconds));
      const failures = Number(count);
      const locked = failures >= maxFailures;
      return locked ? { failures, locked, until: untilIn(lockSeconds * 1000) } : { failures, locked };
    },

    async clear(key) {
      await redis.del(redisKey(key));
    },
  };
}

/** Runs a two-command MULTI and returns both replies, failing loudly if either failed. */
async function execPair(multi: ReturnType<Redis['multi']>): Promise<[unknown, unknown]> {
  const replies = await multi.exec();
  if (!replies || replies.length < 2) throw new Error('Redis transaction was discarded');
  for (const [err] of replies) if (err) throw err;
  return [replies[0]?.[1], replies[1]?.[1]];
}
