import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run with EVALSHA, loading it on first use (or after a Redis restart, on NOSCRIPT). */
export interface RedisScript {
  run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown>;
  /** Queues the call on a pipeline/multi (the script must be loaded: call `load` once first). */
  sha: string;
  load(redis: Redis): Promise<void>;
}

export function defineScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    sha,
    async load(redis) {
      await redis.script('LOAD', lua);
    },
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(lua, keys.length, ...keys, ...args);
        throw err;
      }
    },
  };
}
