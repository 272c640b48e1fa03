import type { Redis } from 'ioredis';
import { defineScript } from '../src/infra/redis-script.js';

/**
 * Reserves the next `count` send slots of a business number: slots are `interval` ms apart across
 * every process (Redis' clock, not ours, so hosts with skewed clocks still agree). Returns how long
 * the caller must wait for its first slot.
 * KEYS: next-free-slot key   ARGV: interval ms, count
 */
const reserveScript = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local span = tonumber(ARGV[1]) * tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], string.format('%d', slot + span), 'PX', slot + span - now + 1000)
return slot - now
`);

export interface Pacer {
  /**
   * Resolves when this caller may send `count` requests (default 1) from `phoneNumberId` without
   * exceeding the number's rate: they leave together, and the next caller waits for all of them.
   */
  acquire(phoneNumberId: string, count?: number): Promise<void>;
}

/** Paces sends per business phone number at `mps` messages per second, shared through Redis. */
export function createPacer(opts: { redis: Redis; keyPrefix: string; mps: number }): Pacer {
  // Whole milliseconds keep the Lua arithmetic exact; rounding up never exceeds the limit.
  const intervalMs = Math.ceil(1000 / opts.mps);
  return {
    async acquire(phoneNumberId, count = 1) {
      const waitMs = (await reserveScript.run(opts.redis, [`${opts.keyPrefix}:pace:${phoneNumberId}`], [intervalMs, count])) as number;
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
  };
}
