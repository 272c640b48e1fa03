import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producer/command connection: fails fast while Redis is down instead of buffering commands
 * (BullMQ's advice for connections used by HTTP handlers), so the webhook can answer 503 and
 * Meta retries rather than the request hanging.
 */
export function createCommandRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    // Commands issued in the same tick leave in one write: under load that is one syscall instead
    // of dozens (socket writes were ~15 % of the webhook's CPU without it).
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  } satisfies RedisOptions);
}

/**
 * Worker connection: BullMQ requires `maxRetriesPerRequest: null` for blocking commands and
 * keeps retrying through outages so workers resume on their own.
 */
export function createWorkerRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    // Hundreds of concurrent jobs share this connection; batching their commands per tick saves
    // syscalls. Order per connection is unchanged (the order bench and lane tests check it).
    enableAutoPipelining: true,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  } satisfies RedisOptions);
}

/**
 * Resolves once the connection is ready. Command connections refuse commands while not ready
 * (no offline queue), so start-up waits here instead of failing its first requests.
 */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await withTimeout(
    new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    timeoutMs,
    `Redis did not become ready within ${timeoutMs} ms`,
  );
}

/** `PING` with a deadline; used by /readyz. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  await withTimeout(redis.ping(), timeoutMs, 'Redis did not answer PING');
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
