import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPacer, reserveSlot, reserveSlots, slotIntervalUs } from '../../../src/whatsapp/pacer.js';
import { TEST_REDIS_URL, deleteKeys } from '../../helpers/redis.js';

/**
 * Sends per second actually granted to 64 senders that each acquire, "send" and acquire again (the
 * outbound lanes of 64 recipients). The rate is the least-squares slope of grants over time, after
 * the first 20 % (the start-up burst): a fit rather than first-to-last keeps one timer that fired
 * late on a busy machine from moving the figure.
 */
async function measure(redis: Redis, keyPrefix: string, mps: number, seconds: number): Promise<number> {
  const pacer = createPacer({ redis, keyPrefix, mps });
  const count = Math.round(mps * seconds) + 1;
  const granted: number[] = [];
  const sender = async () => {
    while (granted.length < count) {
      await pacer.acquire(`number-${mps}`);
      granted.push(performance.now() / 1000);
    }
  };
  await Promise.all(Array.from({ length: 64 }, sender));
  const times = granted.sort((a, b) => a - b).slice(Math.floor(count * 0.2));
  const meanT = times.reduce((sum, t) => sum + t, 0) / times.length;
  const meanI = (times.length - 1) / 2;
  let covariance = 0;
  let variance = 0;
  times.forEach((t, i) => {
    covariance += (t - meanT) * (i - meanI);
    variance += (t - meanT) ** 2;
  });
  return covariance / variance;
}

describe('the send pacer (per business number, shared through Redis)', () => {
  const keyPrefix = `test-${randomUUID()}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(keyPrefix);
    redis.disconnect();
  });

  it.each([
    [80, 3],
    [300, 3],
    [1_000, 3],
  ])('grants %i msg/s within 2 %, never faster', async (mps, seconds) => {
    const rate = await measure(redis, keyPrefix, mps, seconds);
    expect(rate).toBeGreaterThanOrEqual(mps * 0.98);
    expect(rate).toBeLessThanOrEqual(mps * 1.02);
  }, 20_000);

  it('low priority takes only a free slot: a normal caller waits at most one interval behind 20 low-priority callers', async () => {
    const pacer = createPacer({ redis, keyPrefix, mps: 20 }); // 50 ms apart
    const number = `number-prio-${randomUUID()}`;
    let stop = false;
    const low: number[] = [];
    const lowCaller = async () => {
      while (!stop) {
        await pacer.acquire(number, 'low');
        low.push(performance.now());
      }
    };
    const callers = Array.from({ length: 20 }, lowCaller);
    await new Promise((r) => setTimeout(r, 300));
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await pacer.acquire(number);
      waits.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 120));
    }
    stop = true;
    await Promise.all(callers);
    // Low-priority callers kept the number at its rate, one slot at a time (never two in one slot) …
    const gaps = low.slice(1).map((t, i) => t - (low[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(low.length).toBeGreaterThan(10);
    // … and the normal caller never waited behind their queue: at most one interval (+ timer slack).
    expect(Math.max(...waits)).toBeLessThanOrEqual(50 + 15);
  }, 20_000);

  it('normal priority is first come, first served: 20 normal callers queue a newcomer behind them', async () => {
    const pacer = createPacer({ redis, keyPrefix, mps: 20 });
    const number = `number-fifo-${randomUUID()}`;
    const queued = Array.from({ length: 20 }, () => pacer.acquire(number));
    const t = performance.now();
    await pacer.acquire(number);
    const waited = performance.now() - t;
    await Promise.all(queued);
    expect(waited).toBeGreaterThanOrEqual(20 * 50 - 60);
  }, 20_000);

  it('reserves a group of slots at once: resolves at the first, and the next caller waits for the whole group', async () => {
    const key = `${keyPrefix}:group-${randomUUID()}`;
    const interval = slotIntervalUs(20); // 50 ms
    const t = performance.now();
    await reserveSlots(redis, key, interval, 8);
    expect(performance.now() - t).toBeLessThan(40);
    await reserveSlot(redis, key, interval);
    // 8 slots of 50 ms were taken by the group: the next one is 400 ms after the first.
    expect(performance.now() - t).toBeGreaterThanOrEqual(400 - 5);
  }, 10_000);
});
