/** Removes Puente's Redis keys before a run, so no dedupe key, lane or BullMQ job of an earlier run leaks in. */
import { Redis } from 'ioredis';

/**
 * Deletes every key matching `<prefix>*` (SCAN + UNLINK, never FLUSHDB: other data in the same
 * Redis is left alone). Returns how many keys were removed.
 */
export async function deleteKeys(redisUrl: string, prefix = 'puente:'): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000 });
  try {
    await redis.connect();
    let cursor = '0';
    let removed = 0;
    // Bounded: SCAN terminates once the cursor is back at 0; the cap guards against a pathological keyspace.
    for (let rounds = 0; rounds < 1_000_000; rounds++) {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) removed += await redis.unlink(...keys);
      cursor = nextCursor;
      if (cursor === '0') break;
    }
    return removed;
  } finally {
    redis.disconnect();
  }
}

/** `redis_version` from INFO, for the report (undefined if Redis does not answer). */
export async function redisVersion(redisUrl: string): Promise<string | undefined> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000 });
  try {
    await redis.connect();
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}
