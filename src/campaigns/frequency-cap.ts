/**
 * `settings.frequency_cap` (`<n>_per_day|week|month`): the most campaign messages one contact gets
 * in a rolling day (24 h), week (7 days) or month (30 days), counted across every campaign of the
 * organization in Redis (frequency-cap.lua). A capped step is postponed to when it fits, never dropped.
 */
import type { Redis } from 'ioredis';
import { defineScript, reply } from '../platform/redis/script.js';

const DAY_MS = 86_400_000;
const PERIOD_MS = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS } as const;
/** Sends are remembered for the longest window. */
const KEEP_MS = PERIOD_MS.month;

export interface FrequencyCap {
  limit: number;
  windowMs: number;
}

/** The cap a setting means, or null (none / unset / not a cap). */
export function parseFrequencyCap(setting: string | null | undefined): FrequencyCap | null {
  const match = setting ? /^([1-9]\d?)_per_(day|week|month)$/.exec(setting) : null;
  if (!match) return null;
  return { limit: Number(match[1]), windowMs: PERIOD_MS[match[2] as keyof typeof PERIOD_MS] };
}

const capScript = defineScript(new URL('./frequency-cap.lua', import.meta.url), reply.integer);

/**
 * Counts the send `member` (an outbound id) for the contact if the cap allows it now: 0 when it
 * may go (counted; counting the same member again is a no-op), else the epoch ms when it may.
 */
export function reserveUnderCap(redis: Redis, keyPrefix: string, orgId: string, contactId: string, cap: FrequencyCap, member: string, now = Date.now()): Promise<number> {
  return capScript.run(redis, [`${keyPrefix}:cmp:cap:${orgId}:${contactId}`], [now, cap.windowMs, cap.limit, member, KEEP_MS]);
}
