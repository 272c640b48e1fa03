import type { SubscriptionDoc } from './models.js';
import type { SubscriptionStore } from './store.js';

/**
 * Subscriptions as read a moment ago: each organization's active ones (what `publish` fans out to
 * and `wants` answers from) and each subscription by id (what a delivery signs with and checks the
 * status of). Entries live `ttlMs`; a change made through this process drops them at once, other
 * processes see it within `ttlMs`. Concurrent misses share one read.
 */
export interface SubscriptionCache {
  active(orgId: string): Promise<SubscriptionDoc[]>;
  byId(id: string): Promise<SubscriptionDoc | null>;
  invalidate(orgId: string, id?: string): void;
}

function ttlMap<V>(ttlMs: number, load: (key: string) => Promise<V>) {
  const entries = new Map<string, { at: number; value: Promise<V> }>();
  return {
    get(key: string): Promise<V> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = Promise.resolve(load(key));
      entries.set(key, { at: now, value });
      // A failed read is not kept.
      void value.catch(() => entries.get(key)?.value === value && entries.delete(key));
      if (entries.size > 10_000) for (const [k, e] of entries) if (now - e.at >= ttlMs) entries.delete(k);
      return value;
    },
    delete: (key: string) => entries.delete(key),
  };
}

export function createSubscriptionCache(store: SubscriptionStore, ttlMs: number): SubscriptionCache {
  const active = ttlMap(ttlMs, (orgId) => store.active(orgId));
  const byId = ttlMap(ttlMs, (id) => store.load(id));
  return {
    active: (orgId) => active.get(orgId),
    byId: (id) => byId.get(id),
    invalidate(orgId, id) {
      active.delete(orgId);
      if (id) byId.delete(id);
    },
  };
}
