import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthLock } from '../../bot/auth-lock.js';
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js';

const redis = new Redis(TEST_REDIS_URL);
const prefixes: string[] = [];
let keyPrefix = '';
const now = new Date('2025-06-06T15:25:00.000Z');

beforeEach(() => {
  keyPrefix = `test-${randomUUID()}`;
  prefixes.push(keyPrefix);
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(prefix);
  redis.disconnect();
});

describe('auth lock (real Redis)', () => {
  it('locks for 15 minutes on the third failure, not before', async () => {
    const lock = createAuthLock({ redis, keyPrefix, now: () => now });
    expect(await lock.recordFailure('conv-1')).toEqual({ failures: 1, locked: false });
    expect(await lock.isLocked('conv-1')).toBeUndefined();
    expect(await lock.recordFailure('conv-1')).toEqual({ failures: 2, locked: false });
    const third = await lock.recordFailure('conv-1');
    expect(third).toEqual({ failures: 3, locked: true, until: '2025-06-06T15:40:00.000Z' });
    const until = await lock.isLocked('conv-1');
    expect(Date.parse(until!) - now.getTime()).toBeGreaterThan(895_000);
    expect(await redis.ttl(`${keyPrefix}:auth-failures:conv-1`)).toBeGreaterThan(895);
  });

  it('keeps the lock across a restart (a new lock instance and connection)', async () => {
    const before = createAuthLock({ redis, keyPrefix });
    for (let i = 0; i < 3; i += 1) await before.recordFailure('conv-1');
    const otherConnection = new Redis(TEST_REDIS_URL);
    try {
      const after = createAuthLock({ redis: otherConnection, keyPrefix });
      expect(await after.isLocked('conv-1')).toBeDefined();
    } finally {
      otherConnection.disconnect();
    }
  });

  it('always leaves the failure count with a TTL', async () => {
    const lock = createAuthLock({ redis, keyPrefix, lockSeconds: 900 });
    await lock.recordFailure('conv-1');
    expect(await redis.ttl(`${keyPrefix}:auth-failures:conv-1`)).toBeGreaterThan(890);
  });

  it('unlocks when the lock time has passed', async () => {
    const lock = createAuthLock({ redis, keyPrefix, lockSeconds: 1 });
    for (let i = 0; i < 3; i += 1) await lock.recordFailure('conv-1');
    expect(await lock.isLocked('conv-1')).toBeDefined();
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await lock.isLocked('conv-1')).toBeUndefined();
  });

  it('forgets the failures after a successful authentication', async () => {
    const lock = createAuthLock({ redis, keyPrefix });
    await lock.recordFailure('conv-1');
    await lock.recordFailure('conv-1');
    await lock.clear('conv-1');
    expect(await lock.recordFailure('conv-1')).toEqual({ failures: 1, locked: false });
  });

  it('counts each conversation separately', async () => {
    const lock = createAuthLock({ redis, keyPrefix });
    for (let i = 0; i < 3; i += 1) await lock.recordFailure('conv-1');
    expect(await lock.isLocked('conv-2')).toBeUndefined();
  });
});
