import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../../../../src/platform/http/error-handler.js';
import { createRateLimiter, rateLimit, type RateLimiter } from '../../../../src/platform/http/rate-limit.js';
import type { AppEnv } from '../../../../src/platform/http/types.js';
import { createLogger } from '../../../../src/platform/logging/logger.js';
import { createMetrics } from '../../../../src/platform/metrics/registry.js';
import { TEST_REDIS_URL, deleteKeys } from '../../../helpers/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('per-key rate limiter (fixed window in Redis time)', () => {
  const prefixes: string[] = [];
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
    redis.disconnect();
  });

  /** A limiter under a key prefix of its own (deleted after the suite). */
  const limiter = (limit: number, windowMs: number, client: Redis = redis): RateLimiter => {
    const keyPrefix = `test-rl-${randomUUID()}`;
    prefixes.push(keyPrefix);
    return createRateLimiter({ redis: client, keyPrefix, limit, windowMs });
  };

  /** Waits, if need be, until Redis' clock is at least `marginMs` away from the end of a `windowMs` window. */
  const awayFromWindowEnd = async (windowMs: number, marginMs: number) => {
    const [s, us] = await redis.time();
    const now = Number(s) * 1000 + Math.floor(Number(us) / 1000);
    const left = windowMs - (now % windowMs);
    if (left < marginMs) await sleep(left + 20);
  };

  it('allows exactly the limit in a window and refuses the next, with remaining and reset', async () => {
    const rl = limiter(5, 60_000);
    await awayFromWindowEnd(60_000, 5_000);
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await rl.take('org-1'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    for (const d of decisions) {
      expect(d.limit).toBe(5);
      expect(d.resetMs).toBeGreaterThan(0);
      expect(d.resetMs).toBeLessThanOrEqual(60_000);
    }
    // The same window for every take: reset only counts down.
    for (let i = 1; i < decisions.length; i++) expect(decisions[i]!.resetMs).toBeLessThanOrEqual(decisions[i - 1]!.resetMs);
    // Refused requests are not counted.
    expect(await rl.take('org-1')).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('starts a new window with the full budget, and the counter expires on its own', async () => {
    const rl = limiter(2, 400);
    await awayFromWindowEnd(400, 150);
    expect((await rl.take('org')).allowed).toBe(true);
    expect((await rl.take('org')).allowed).toBe(true);
    const refused = await rl.take('org');
    expect(refused.allowed).toBe(false);
    await sleep(refused.resetMs + 20);
    expect(await rl.take('org')).toMatchObject({ allowed: true, remaining: 1 });
    const [key] = await redis.keys(`${prefixes.at(-1)}:*`);
    const ttl = await redis.pttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400 + 1000);
  });

  it('keeps separate budgets for separate keys', async () => {
    const rl = limiter(3, 60_000);
    await awayFromWindowEnd(60_000, 5_000);
    for (let i = 0; i < 3; i++) expect((await rl.take('org-a')).allowed).toBe(true);
    expect((await rl.take('org-a')).allowed).toBe(false);
    expect(await rl.take('org-b')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('allows exactly the limit under concurrency: 200 parallel takes over 4 connections against 100', async () => {
    const clients = [redis, new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
    try {
      const base = limiter(100, 60_000);
      // Four limiter instances (as four processes would have) on the same key prefix.
      const keyPrefix = prefixes.at(-1)!;
      const instances = clients.map((client) => createRateLimiter({ redis: client, keyPrefix, limit: 100, windowMs: 60_000 }));
      expect(instances[0]!.limit).toBe(base.limit);
      await awayFromWindowEnd(60_000, 5_000);
      const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => instances[i % instances.length]!.take('org-hot')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      expect(decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      for (const client of clients.slice(1)) client.disconnect();
    }
  });

  describe('the middleware', () => {
    const build = (rl: RateLimiter, keyOf: (org: string | undefined) => string | undefined = (org) => org) => {
      const app = new Hono<AppEnv>();
      app.onError(createErrorHandler(createMetrics(), createLogger({ level: 'silent' })));
      app.use('/api/v1/*', rateLimit(rl, (c) => keyOf(c.req.header('x-org'))));
      app.get('/api/v1/ping', (c) => c.json({ ok: true }));
      app.get('/api/v1/raw', () => new Response('raw'));
      app.get('/api/v1/fails', () => {
        throw new Error('boom');
      });
      app.get('/api/crm/ping', (c) => c.json({ ok: true }));
      return app;
    };
    const headersOf = (res: Response) => ({
      limit: res.headers.get('ratelimit-limit'),
      remaining: res.headers.get('ratelimit-remaining'),
      reset: Number(res.headers.get('ratelimit-reset')),
      retryAfter: res.headers.get('retry-after'),
    });

    it('sets the RateLimit headers on allowed responses and answers 429 RATE_LIMITED with them and Retry-After', async () => {
      const app = build(limiter(2, 10_000));
      await awayFromWindowEnd(10_000, 2_000);
      const first = await app.request('/api/v1/ping', { headers: { 'x-org': 'org-1' } });
      expect(first.status).toBe(200);
      expect(headersOf(first)).toMatchObject({ limit: '2', remaining: '1', retryAfter: null });
      expect(headersOf(first).reset).toBeGreaterThanOrEqual(1);
      expect(headersOf(first).reset).toBeLessThanOrEqual(10);

      // A handler returning its own Response still gets the headers.
      const raw = await app.request('/api/v1/raw', { headers: { 'x-org': 'org-1' } });
      expect(raw.status).toBe(200);
      expect(headersOf(raw)).toMatchObject({ limit: '2', remaining: '0' });

      const refused = await app.request('/api/v1/ping', { headers: { 'x-org': 'org-1' } });
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      const h = headersOf(refused);
      expect(h).toMatchObject({ limit: '2', remaining: '0' });
      expect(h.reset).toBeGreaterThanOrEqual(1);
      expect(h.reset).toBeLessThanOrEqual(10);
      expect(Number(h.retryAfter)).toBe(h.reset);
      expect(Number(h.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(h.retryAfter)).toBeLessThanOrEqual(10);
    });

    it('keeps the headers on a response the error handler rendered for a failing handler', async () => {
      const app = build(limiter(5, 10_000));
      const res = await app.request('/api/v1/fails', { headers: { 'x-org': 'org-1' } });
      expect(res.status).toBe(500);
      expect(headersOf(res)).toMatchObject({ limit: '5', remaining: '4' });
    });

    it('does not limit routes outside its group, nor requests without a key', async () => {
      const app = build(limiter(1, 10_000));
      for (let i = 0; i < 3; i++) {
        const crm = await app.request('/api/crm/ping', { headers: { 'x-org': 'org-1' } });
        expect(crm.status).toBe(200);
        expect(crm.headers.get('ratelimit-limit')).toBeNull();
        const anonymous = await app.request('/api/v1/ping');
        expect(anonymous.status).toBe(200);
        expect(anonymous.headers.get('ratelimit-limit')).toBeNull();
      }
    });

    it('fails closed while Redis is unreachable: 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
      const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        const app = build(limiter(5, 10_000, down));
        const res = await app.request('/api/v1/ping', { headers: { 'x-org': 'org-1' } });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
        expect(res.headers.get('retry-after')).toBe('1');
      } finally {
        down.disconnect();
      }
    });
  });
});
