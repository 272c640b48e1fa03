import type { Redis } from 'ioredis';
import { defineScript, reply } from '../platform/redis/script.js';

/** Reserves the next send slot of a number (see reserve-slot.lua); answers the wait in ms. */
const reserveScript = defineScript(new URL('./reserve-slot.lua', import.meta.url), reply.integer);

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
      const waitMs = await reserveScript.run(opts.redis, [`${opts.keyPrefix}:pace:${phoneNumberId}`], [intervalMs]);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    },
  };
}
