import type { Redis } from 'ioredis';
import { defineScript } from '../platform/redis/script.js';

/**
 * Reserves the next send slot of a business number: slots are `interval` ms apart across every
 * process (Redis' clock, not ours, so hosts with skewed clocks still agree). Returns how long the
 * caller must wait for its slot.
 * KEYS: next-free-slot key   ARGV: interval ms
 */
const reserveScript = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], string.format('%d', slot + interval), 'PX', slot + interval - now + 1000)
return slot - now
`);

export interface Pacer {
  /** Resolves when this caller may send from `phoneNumberId` without exceeding the number's rate. */
  acquire(phoneNumberId: string): Promise<void>;
}

/** Paces sends per business phone number at `mps` messages per second, shared through Redis. */
export function createPacer(opts: { redis: Redis; keyPrefix: string; mps: number }): Pacer {
  // Whole milliseconds keep the Lua arithmetic exact; rounding up never exceeds the limit.
  const intervalMs = Math.ceil(1000 / opts.mps);
  return {
    async acquire(phoneNumberId) {
      const waitMs = (await reserveScript.run(opts.redis, [`${opts.keyPrefix}:pace:${phoneNumberId}`], [intervalMs])) as number;
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
  };
}
