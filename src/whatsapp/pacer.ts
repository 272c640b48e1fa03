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

/**
 * `normal`: replies, agents' messages — first come, first served. `low`: campaign sends — they take
 * only a slot that is free now (within {@link LOW_PRIORITY_MARGIN_US}) and otherwise wait for the
 * next free slot and ask again, so a reply never queues behind campaign sends: at most one slot
 * interval behind the one campaign send that took the slot just before it.
 */
export type SendPriority = 'normal' | 'low';

/** How far ahead a low-priority send may still take a slot (it would otherwise poll for one that is ~free). */
export const LOW_PRIORITY_MARGIN_US = 1_000;

export interface Pacer {
  /** Resolves when this caller may send from `phoneNumberId` without exceeding the number's rate. */
  acquire(phoneNumberId: string, priority?: SendPriority): Promise<void>;
  /** Resolves at the next slot of a campaign's own rate (`mps`), shared through Redis. */
  acquireCampaign(campaignId: string, mps: number): Promise<void>;
}

/** Slots `intervalUs` apart on `key`, shared through Redis (reserve-slot.lua); resolves at the caller's slot. */
export async function reserveSlot(redis: Redis, key: string, intervalUs: number, priority: SendPriority = 'normal'): Promise<void> {
  if (priority === 'normal') {
    const waitUs = await reserveScript.run(redis, [key], [intervalUs, -1, 0]);
    if (waitUs > 0) await sleepUntil(performance.now() + waitUs / 1000);
    return;
  }
  for (;;) {
    const answer = await reserveScript.run(redis, [key], [intervalUs, LOW_PRIORITY_MARGIN_US, 0]);
    if (answer >= 0) {
      if (answer > 0) await sleepUntil(performance.now() + answer / 1000);
      return;
    }
    // Not free: look again when the next slot frees up (a reply reserving meanwhile pushes it further).
    await sleepUntil(performance.now() + -answer / 1000);
  }
}

/**
 * Reserves `count` consecutive slots `intervalUs` apart on `key` in one round trip and resolves at
 * the first: how the campaign sender paces a group of steps it queues together (the outbound lane
 * paces each send again before the Graph call, so the group does not reach Graph at once).
 */
export async function reserveSlots(redis: Redis, key: string, intervalUs: number, count: number): Promise<void> {
  const waitUs = await reserveScript.run(redis, [key], [intervalUs, -1, 0, Math.max(1, Math.floor(count))]);
  if (waitUs > 0) await sleepUntil(performance.now() + waitUs / 1000);
}

/** The Redis key of a number's send slots. */
export const paceKey = (keyPrefix: string, phoneNumberId: string) => `${keyPrefix}:pace:${phoneNumberId}`;

/**
 * Resolves once the number has a slot free now (nothing reserved): how the campaign sender holds
 * back while replies use the number, instead of piling low-priority sends up in the lanes.
 */
export async function waitForFreeSlot(redis: Redis, key: string, intervalUs: number): Promise<void> {
  for (;;) {
    const answer = await reserveScript.run(redis, [key], [intervalUs, LOW_PRIORITY_MARGIN_US, 1]);
    if (answer >= 0) return;
    await sleepUntil(performance.now() + -answer / 1000);
  }
}

/** The slot interval of `mps` messages per second, in whole µs rounded up (300 msg/s: 3,334 µs apart, 299.9 msg/s). */
export const slotIntervalUs = (mps: number) => Math.ceil(1_000_000 / mps);

/** Paces sends per business phone number at `mps` messages per second, shared through Redis. */
export function createPacer(opts: { redis: Redis; keyPrefix: string; mps: number }): Pacer {
  // Whole microseconds keep the Lua arithmetic exact; rounding up never exceeds the limit.
  const intervalUs = slotIntervalUs(opts.mps);
  return {
    acquire: (phoneNumberId, priority = 'normal') => reserveSlot(opts.redis, paceKey(opts.keyPrefix, phoneNumberId), intervalUs, priority),
    acquireCampaign: (campaignId, mps) => reserveSlot(opts.redis, `${opts.keyPrefix}:pace:cmp:${campaignId}`, slotIntervalUs(mps)),
  };
}
