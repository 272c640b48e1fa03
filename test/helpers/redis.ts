import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Removes every Redis key under a test prefix. */
export async function deleteKeys(keyPrefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` is true; fails the test with a clear message after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Records the name of every command `redis` sends from now on with an argument containing
 * `mentioning` (a lane, a key): what something costs in round trips. Waits until connected first:
 * ioredis sends a command queued while connecting through this path again.
 */
export async function recordCommands(redis: Redis, mentioning: string): Promise<string[]> {
  await redis.ping();
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command, stream) => {
    if (command.args.some((arg) => String(arg).includes(mentioning))) sent.push(command.name);
    return send(command, stream);
  }) as Redis['sendCommand'];
  return sent;
}
