import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import { EVENT_TYPES } from '../../../src/platform/events/types.js';
import { redactDeep } from '../../../src/platform/logging/redact.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../src/webhooks/backoff.js';
import { createSubscriptionCache } from '../../../src/webhooks/cache.js';
import { echoesChallenge } from '../../../src/webhooks/deliver.js';
import { EVENT_BODY_SCHEMAS } from '../../../src/webhooks/event-docs.js';
import { deliveryIdFor } from '../../../src/webhooks/ids.js';
import type { SubscriptionDoc } from '../../../src/webhooks/models.js';
import { EVENT_SAMPLES } from '../../../src/webhooks/samples.js';
import { firstKiB } from '../../../src/webhooks/schemas.js';
import { createSlotLimiter } from '../../../src/webhooks/redis-state.js';
import { createEventSink } from '../../../src/webhooks/sink.js';
import type { SubscriptionStore } from '../../../src/webhooks/store.js';
import { TEST_REDIS_URL, deleteKeys } from '../../helpers/redis.js';

describe('event samples (POST …/test)', () => {
  it.each(EVENT_TYPES)('%s: the sample is valid against the catalog, and the documented body too', (type) => {
    expect(EVENT_DATA[type].safeParse(EVENT_SAMPLES[type]).error).toBeUndefined();
    const body = { id: 'evt_x', event: type, timestamp: '2026-01-15T14:03:00.000Z', org_id: 'org_x', data: EVENT_SAMPLES[type] };
    expect(EVENT_BODY_SCHEMAS[type].safeParse(body).success).toBe(true);
    expect(EVENT_BODY_SCHEMAS[type].safeParse({ ...body, event: 'other' }).success).toBe(false);
  });
});

describe('retry backoff: exponential with full jitter', () => {
  const policy = DEFAULT_RETRY_POLICY;
  it('stays between a tenth of the base and the doubling bound, capped at an hour', () => {
    expect(retryDelayMs(policy, 1, undefined, () => 0)).toBe(1_000);
    expect(retryDelayMs(policy, 1, undefined, () => 1)).toBe(10_000);
    expect(retryDelayMs(policy, 4, undefined, () => 1)).toBe(80_000);
    expect(retryDelayMs(policy, 4, undefined, () => 0.5)).toBe(40_000);
    expect(retryDelayMs(policy, 30, undefined, () => 1)).toBe(3_600_000);
    for (let n = 1; n < 20; n++) {
      const d = retryDelayMs(policy, n);
      expect(d).toBeGreaterThanOrEqual(1_000);
      expect(d).toBeLessThanOrEqual(Math.min(3_600_000, 10_000 * 2 ** (n - 1)));
    }
  });
  it("honours the endpoint's Retry-After, up to the cap", () => {
    expect(retryDelayMs(policy, 1, 120_000, () => 0)).toBe(120_000);
    expect(retryDelayMs(policy, 1, 86_400_000, () => 0)).toBe(3_600_000);
  });
});

describe('small pieces', () => {
  it('recognizes the challenge as plain text or JSON, nothing else', () => {
    expect(echoesChallenge('abc', 'abc')).toBe(true);
    expect(echoesChallenge(' abc\n', 'abc')).toBe(true);
    expect(echoesChallenge('{"challenge":"abc"}', 'abc')).toBe(true);
    expect(echoesChallenge('{"challenge":"abd"}', 'abc')).toBe(false);
    expect(echoesChallenge('ok', 'abc')).toBe(false);
    expect(echoesChallenge('', 'abc')).toBe(false);
  });
  it('derives one delivery id per (event, subscription)', () => {
    expect(deliveryIdFor('evt_1', 'whk_1')).toBe(deliveryIdFor('evt_1', 'whk_1'));
    expect(deliveryIdFor('evt_1', 'whk_1')).not.toBe(deliveryIdFor('evt_1', 'whk_2'));
    expect(deliveryIdFor('evt_1', 'whk_1')).toMatch(/^dlv_[A-Za-z0-9_-]{22}$/);
  });
  it('keeps the first KiB of an answer without cutting a character', () => {
    expect(firstKiB('x'.repeat(2000))).toHaveLength(1024);
    const cut = firstKiB('é'.repeat(600)); // 2 bytes each
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024);
    expect(cut).toBe('é'.repeat(512));
    expect(firstKiB('ok')).toBe('ok');
  });
});

describe('wants(): cached', () => {
  it('reads the organization’s active subscriptions once per cache period', async () => {
    let reads = 0;
    const sub = { _id: 'whk_1', events: ['ticket.created'] } as unknown as SubscriptionDoc;
    const store = { active: async () => (reads++, [sub]) } as unknown as SubscriptionStore;
    const cache = createSubscriptionCache(store, 100);
    const sink = createEventSink({ cache, deliveries: {} as never, mailbox: {} as never, now: () => new Date() });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => sink.wants('org_1', i % 2 ? 'ticket.created' : 'ticket.closed')));
    expect(answers.filter(Boolean)).toHaveLength(25);
    expect(reads).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(await sink.wants('org_1', 'ticket.created')).toBe(true);
    expect(reads).toBe(2);
    cache.invalidate('org_1');
    await sink.wants('org_1', 'ticket.created');
    expect(reads).toBe(3);
  });
});

describe('secrets stay out of logs', () => {
  it('the log redaction drops a subscription’s secrets and a signature header', () => {
    const doc = { _id: 'whk_1', url: 'https://x.example/h', secrets: [{ value: 'whsec_abc', created_at: new Date() }], secret: 'whsec_abc', headers: { 'X-Puente-Signature': 't=1,v1=ff' } };
    const out = JSON.stringify(redactDeep(doc));
    expect(out).not.toContain('whsec_abc');
    expect(out).not.toContain('v1=ff');
  });
});

describe('the slot limiter parks lanes by their delivery’s age, with the expected wait', () => {
  it('a lane that cannot have a slot registers behind the older deliveries and is told how long its turn should take', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const base = `test-${randomUUID()}:whk`;
    const woken: string[] = [];
    // No job exists: a wake-up only records which job it was for (it asks again a few times, since
    // an inline drain adds its lane's job only once it has parked).
    const queue = { getJob: async (id: string) => void woken.push(id) } as never;
    const limiter = createSlotLimiter({ redis, base, queue, cap: 1, slotTtlMs: 100, logger: createLogger({ level: 'silent' }) });
    try {
      // Another process holds the only slot for a minute.
      await redis.zadd(`${base}:inflight:whk_1`, Date.now() + 60_000, 'held-elsewhere');
      // Both wait here for a pass (up to a slot's life), then park: the younger delivery first.
      const younger = await limiter.acquire('whk_1', 'd-2', 3_000);
      const older = await limiter.acquire('whk_1', 'd-3', 1_000);
      expect(younger).toEqual({ waitMs: 1_000 }); // one lane waiting, an unknown request time counts a second
      expect(older).toEqual({ waitMs: 2_000 });
      expect(await redis.zrange(`${base}:waiting:whk_1`, '0', '-1')).toEqual(['d-3', 'd-2']);
      await limiter.release('whk_1', 'held-elsewhere');
      await new Promise((r) => setTimeout(r, 50));
      expect(new Set(woken)).toEqual(new Set(['d-3']));
      expect(await redis.zrange(`${base}:waiting:whk_1`, '0', '-1')).toEqual(['d-2']);
    } finally {
      await deleteKeys(base);
      redis.disconnect();
    }
  });
});

describe('the slot limiter at its cap in one process', () => {
  it('queues new lanes behind the ones waiting here and passes slots on without a Redis round trip, never over the cap', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const base = `test-${randomUUID()}:whk`;
    const limiter = createSlotLimiter({ redis, base, queue: { getJob: async () => undefined } as never, cap: 1, slotTtlMs: 15_000, logger: createLogger({ level: 'silent' }) });
    let scripts = 0;
    const evalsha = redis.evalsha.bind(redis);
    redis.evalsha = ((...args: Parameters<typeof evalsha>) => {
      scripts++;
      return evalsha(...args);
    }) as typeof redis.evalsha;
    try {
      // One quick request first: the subscription's request time is known, so lanes may wait here.
      const warm = await limiter.acquire('whk_2', 'd-0');
      await limiter.release('whk_2', warm.token!);
      scripts = 0;
      const first = await limiter.acquire('whk_2', 'd-1');
      expect(first.token).toEqual(expect.any(String));
      expect(scripts).toBe(1);
      const second = limiter.acquire('whk_2', 'd-2'); // asks Redis (nobody waits here yet), then waits here
      await new Promise((r) => setTimeout(r, 20));
      expect(scripts).toBe(2);
      const third = limiter.acquire('whk_2', 'd-3'); // a lane already waits here for our slot: no script
      await new Promise((r) => setTimeout(r, 20));
      expect(scripts).toBe(2);
      await limiter.release('whk_2', first.token!);
      const passed = await second;
      expect(passed.token).toBe(first.token); // the same slot, passed on in the process
      await limiter.release('whk_2', passed.token!);
      expect((await third).token).toBe(first.token);
      expect(scripts).toBe(2);
      // One slot in Redis all along.
      expect(await redis.zcard(`${base}:inflight:whk_2`)).toBe(1);
    } finally {
      await deleteKeys(base);
      redis.disconnect();
    }
  });
});
