/** The sender's pure parts and Redis scripts: send times in a zone, the usual reading hour, frequency caps. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrequencyCap, reserveUnderCap } from '../../../src/campaigns/frequency-cap.js';
import { optimizedSendTime, STO_MIN_POINTS, usualHour, type ReadingHabit } from '../../../src/campaigns/send-time-optimization.js';
import { DEFAULT_TIMEZONE, localHour, nextLocalHour, nextSendTime, zoneOrDefault } from '../../../src/campaigns/send-window.js';
import { TEST_REDIS_URL, deleteKeys } from '../../helpers/redis.js';

describe('send time in the contact’s zone', () => {
  it('is the next time the zone’s clock reads send_time, today or tomorrow', () => {
    // 2026-03-10 14:00 UTC = 09:00 in Bogotá (UTC-5), 23:00 in Tokyo (UTC+9).
    const from = new Date('2026-03-10T14:00:00Z');
    expect(nextSendTime('10:00', 'America/Bogota', from).toISOString()).toBe('2026-03-10T15:00:00.000Z');
    expect(nextSendTime('08:30', 'America/Bogota', from).toISOString()).toBe('2026-03-11T13:30:00.000Z');
    expect(nextSendTime('10:00', 'Asia/Tokyo', from).toISOString()).toBe('2026-03-11T01:00:00.000Z');
    expect(nextSendTime('09:00:00', 'America/Bogota', from).toISOString()).toBe('2026-03-10T14:00:00.000Z');
  });
  it('follows daylight saving time (Madrid, the night of the change)', () => {
    // 29 March 2026: Madrid goes from UTC+1 to UTC+2.
    expect(nextSendTime('10:00', 'Europe/Madrid', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(nextSendTime('10:00', 'Europe/Madrid', new Date('2026-03-27T12:00:00Z')).toISOString()).toBe('2026-03-28T09:00:00.000Z');
  });
  it('uses America/Bogota for a contact without a zone or with an unknown one', () => {
    expect(zoneOrDefault(undefined)).toBe(DEFAULT_TIMEZONE);
    expect(zoneOrDefault('Marte/Olympus')).toBe(DEFAULT_TIMEZONE);
    expect(nextSendTime('10:00', 'Marte/Olympus', new Date('2026-03-10T14:00:00Z')).toISOString()).toBe('2026-03-10T15:00:00.000Z');
  });
});

describe('the hour a contact usually reads (send time optimization)', () => {
  const habit = (counts: Record<number, number>): ReadingHabit => {
    const hours = Array.from({ length: 24 }, (_v, h) => counts[h] ?? 0);
    return { hours, total: hours.reduce((a, b) => a + b, 0) };
  };

  it('is the most frequent hour; ties go to the one that comes first from now; too little history is none', () => {
    expect(usualHour(habit({ 9: 4, 20: 2 }), 12)).toBe(9);
    expect(usualHour(habit({ 9: 3, 20: 3 }), 12)).toBe(20);
    expect(usualHour(habit({ 9: 3, 20: 3 }), 21)).toBe(9);
    expect(usualHour(habit({ 9: 3, 20: 3 }), 9)).toBe(9);
    expect(STO_MIN_POINTS).toBe(3);
    expect(usualHour(habit({ 9: 2 }), 12)).toBeNull();
    expect(usualHour(undefined, 12)).toBeNull();
  });

  it('sends at the next time the contact’s clock reads that hour, now when it reads it already, and never more than a day later', () => {
    // 2026-03-10 14:20 UTC = 09:20 in Bogotá, 23:20 in Tokyo.
    const now = new Date('2026-03-10T14:20:00Z');
    expect(localHour(now, 'America/Bogota')).toBe(9);
    expect(optimizedSendTime(habit({ 19: 5 }), null, now).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(optimizedSendTime(habit({ 8: 5 }), 'America/Bogota', now).toISOString()).toBe('2026-03-11T13:00:00.000Z');
    expect(optimizedSendTime(habit({ 9: 5 }), 'America/Bogota', now)).toEqual(now);
    expect(optimizedSendTime(habit({ 7: 5 }), 'Asia/Tokyo', now).toISOString()).toBe('2026-03-10T22:00:00.000Z');
    expect(optimizedSendTime(habit({ 7: 2 }), 'Asia/Tokyo', now)).toEqual(now);
    for (let h = 0; h < 24; h++) {
      const at = optimizedSendTime(habit({ [h]: 3 }), 'Europe/Madrid', new Date('2026-03-28T23:59:00Z'));
      expect(at.getTime() - Date.parse('2026-03-28T23:59:00Z')).toBeLessThanOrEqual(24 * 3_600_000);
    }
    expect(nextLocalHour(10, 'Europe/Madrid', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T08:00:00.000Z');
  });
});

describe('frequency caps', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('parses <n>_per_day|week|month and nothing else', () => {
    expect(parseFrequencyCap('3_per_week')).toEqual({ limit: 3, windowMs: 7 * 86_400_000 });
    expect(parseFrequencyCap('1_per_day')).toEqual({ limit: 1, windowMs: 86_400_000 });
    expect(parseFrequencyCap('2_per_month')).toEqual({ limit: 2, windowMs: 30 * 86_400_000 });
    for (const v of ['none', null, '0_per_day', '3_per_year', 'a veces']) expect(parseFrequencyCap(v)).toBeNull();
  });

  it('counts sends per contact in a rolling window, each step once, and says when the next fits', async () => {
    const cap = { limit: 2, windowMs: 86_400_000 };
    const t0 = Date.parse('2026-03-10T14:00:00Z');
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_1', cap, 'cmp.a.1', t0)).toBe(0);
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_1', cap, 'cmp.a.1', t0 + 10)).toBe(0); // the same step again: counted once
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_1', cap, 'cmp.b.1', t0 + 1_000)).toBe(0);
    // A third within the day: fits once the first has left the window.
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_1', cap, 'cmp.c.1', t0 + 5_000)).toBe(t0 + 86_400_000 + 1);
    // Another contact is not affected.
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_2', cap, 'cmp.c.1', t0 + 5_000)).toBe(0);
    // A day later it fits.
    expect(await reserveUnderCap(redis, prefix, 'org', 'ct_1', cap, 'cmp.c.1', t0 + 86_400_000 + 2)).toBe(0);
  });
});
