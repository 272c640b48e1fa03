import type { Redis } from 'ioredis';
import { sameSnapshot, snapshotSchema, type Snapshot } from './snapshot.js';
import { MACHINE_VERSION } from './version.js';

/** Where conversation sessions live between two messages. */
export interface SessionStore {
  /** The session, or undefined when there is none, it expired, or it is from another machine version. */
  read(key: string): Promise<Snapshot | undefined>;
  /**
   * Stores the session and restarts its TTL. When `previous` (the snapshot as read) holds the
   * same data, nothing is written: only the TTL is refreshed, since activity keeps a session alive.
   */
  write(key: string, snapshot: Snapshot, previous?: Snapshot): Promise<void>;
  /** Restarts the TTL without writing. */
  touch(key: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SessionStoreOptions {
  redis: Redis;
  /** Namespace for the keys, e.g. `puente:bot`; tests pass a unique one. */
  keyPrefix: string;
  /** `SESSION_TTL_SECONDS` (default 1800). */
  ttlSeconds: number;
  /** Machine version stamped on envelopes; only tests change it. */
  version?: number;
  now?: () => Date;
}

/** What is stored in Redis: the snapshot inside a versioned envelope. */
interface SessionEnvelope {
  v: number;
  snapshot: Snapshot;
  updatedAt: string;
}

/**
 * Redis-backed sessions: `<keyPrefix>:session:<conversation key>` → JSON envelope with a TTL.
 * An envelope from another machine version, or one that does not parse, is treated as no session
 * (the user simply gets the menu) rather than being misread.
 */
export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { redis, keyPrefix, ttlSeconds } = options;
  const version = options.version ?? MACHINE_VERSION;
  const now = options.now ?? (() => new Date());
  const redisKey = (key: string): string => `${keyPrefix}:session:${key}`;

  return {
    async read(key) {
      const raw = await redis.get(redisKey(key));
      if (raw === null) return undefined;
      let envelope: Partial<SessionEnvelope>;
      try {
        envelope = JSON.parse(raw) as Partial<SessionEnvelope>;
      } catch {
        return undefined;
      }
      if (envelope.v !== version) return undefined;
      const parsed = snapshotSchema.safeParse(envelope.snapshot);
      return parsed.success ? parsed.data : undefined;
    },

    async write(key, snapshot, previous) {
      if (previous && sameSnapshot(snapshot, previous)) {
        await redis.expire(redisKey(key), ttlSeconds);
        return;
      }
      const envelope: SessionEnvelope = { v: version, snapshot, updatedAt: now().toISOString() };
      await redis.set(redisKey(key), JSON.stringify(envelope), 'EX', ttlSeconds);
    },

    async touch(key) {
      await redis.expire(redisKey(key), ttlSeconds);
    },

    async delete(key) {
      await redis.del(redisKey(key));
    },
  };
}
