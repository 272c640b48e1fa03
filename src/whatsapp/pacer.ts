import type { Redis } from 'ioredis';
import { defineScript, reply } from '../platform/redis/script.js';

/** Reserves the next send slot of a number (see reserve-slot.lua); answers the wait in µs. */
const reserveScript = defineScript(new URL('./reserve-slot.lua', import.meta.url), reply.integer);

/**
 * Resolves at `deadline` (performance.now() ms) or just after, never before. A timer counts from
 * the event loop's cached time, which lags while the loop is busy (a burst of replies): timers set
 * late in a long turn fire early, which measurably sped 1,000 msg/s up to ~1,040. So a timer that
 * fires early is set again for the rest; one that is up to 1 ms late is fine, the slots stay apart.
 */
async function sleepUntil(deadline: number): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}

export interface Pacer {
  /** Resolves when this caller may send from `phoneNumberId` without exceeding the number's rate. */
  acquire(phoneNumberId: string): Promise<void>;
}

/** Paces sends per business phone number at `mps` messages per second, shared through Redis. */
export function createPacer(opts: { redis: Redis; keyPrefix: string; mps: number }): Pacer {
  // Whole microseconds keep the Lua arithmetic exact; rounding up never exceeds the limit
  // (300 msg/s: 3,334 µs apart, 299.9 msg/s).
  const intervalUs = Math.ceil(1_000_000 / opts.mps);
  return {
    async acquire(phoneNumberId) {
      const waitUs = await reserveScript.run(opts.redis, [`${opts.keyPrefix}:pace:${phoneNumberId}`], [intervalUs]);
      if (waitUs > 0) await sleepUntil(performance.now() + waitUs / 1000);
    },
  };
}
