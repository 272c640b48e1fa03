import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSessionStore } from '../../bot/session-store.js';
import { MACHINE_VERSION } from '../../bot/version.js';
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js';
import { authenticated, snapshot } from './bot-fixtures.js';

const redis = new Redis(TEST_REDIS_URL);
const prefixes: string[] = [];
let keyPrefix = '';

beforeEach(() => {
  keyPrefix = `test-${randomUUID()}`;
  prefixes.push(keyPrefix);
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(prefix);
  redis.disconnect();
});

const sessionKey = (key: string) => `${keyPrefix}:session:${key}`;

describe('session store (real Redis)', () => {
  it('reads back what it wrote, inside a versioned envelope', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    const session = authenticated(undefined, { state: 'main_menu', lastEventId: 'wamid.1' });
    await store.write('conv-1', session);
    expect(await store.read('conv-1')).toEqual(session);
    const envelope = JSON.parse((await redis.get(sessionKey('conv-1')))!) as { v: number; updatedAt: string };
    expect(envelope.v).toBe(MACHINE_VERSION);
    expect(Date.parse(envelope.updatedAt)).not.toBeNaN();
  });

  it('returns nothing for a conversation without a session', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    expect(await store.read('nobody')).toBeUndefined();
  });

  it('discards a session written by an older machine version', async () => {
    const old = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800, version: MACHINE_VERSION - 1 });
    await old.write('conv-1', snapshot({ state: 'plans_name', planId: 'hogar-100' }));
    const current = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    expect(await current.read('conv-1')).toBeUndefined();
  });

  it('discards a stored session that is not valid JSON or not a snapshot', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    await redis.set(sessionKey('broken'), '{not json');
    await redis.set(sessionKey('alien'), JSON.stringify({ v: MACHINE_VERSION, snapshot: { state: 'nowhere' } }));
    expect(await store.read('broken')).toBeUndefined();
    expect(await store.read('alien')).toBeUndefined();
  });

  it('sets the TTL on write and refreshes it on activity', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    await store.write('conv-1', snapshot({ state: 'main_menu' }));
    expect(await redis.ttl(sessionKey('conv-1'))).toBeGreaterThan(1790);
    await redis.expire(sessionKey('conv-1'), 60);
    await store.touch('conv-1');
    expect(await redis.ttl(sessionKey('conv-1'))).toBeGreaterThan(1790);
  });

  it('does not write when nothing changed, but still refreshes the TTL', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    await store.write('conv-1', snapshot({ state: 'main_menu', strikes: 1 }));
    const previous = await store.read('conv-1');
    await redis.expire(sessionKey('conv-1'), 60);
    const set = vi.spyOn(redis, 'set');
    try {
      // Same data, different key order: still "unchanged".
      const { strikes, ...rest } = previous!;
      await store.write('conv-1', { strikes, ...rest }, previous);
      expect(set).not.toHaveBeenCalled();
      expect(await redis.ttl(sessionKey('conv-1'))).toBeGreaterThan(1790);
      await store.write('conv-1', { ...previous!, strikes: 2 }, previous);
      expect(set).toHaveBeenCalledTimes(1);
    } finally {
      set.mockRestore();
    }
    expect((await store.read('conv-1'))?.strikes).toBe(2);
  });

  it('deletes a session', async () => {
    const store = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    await store.write('conv-1', snapshot());
    await store.delete('conv-1');
    expect(await redis.exists(sessionKey('conv-1'))).toBe(0);
  });

  it('keeps sessions of different prefixes apart', async () => {
    const a = createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 });
    const b = createSessionStore({ redis, keyPrefix: `${keyPrefix}:other`, ttlSeconds: 1800 });
    await a.write('conv-1', snapshot({ state: 'main_menu' }));
    expect(await b.read('conv-1')).toBeUndefined();
  });
});
