/**
 * Background maintenance, the embedded counterpart of mongod's TTL monitor: deletes documents
 * whose TTL-indexed date is older than `expireAfterSeconds`, and reaps idle cursors.
 * mongod sweeps every 60 s; here the interval is configurable so tests can observe expiry quickly.
 */
import type { Document } from './bson.js';
import type { Collection } from './collection.js';
import type { CursorManager } from './cursors.js';
import type { Store } from './store.js';
import { pathValues } from './values.js';

/** Deletes expired documents from every collection; returns how many were removed. */
export function sweepExpired(store: Store, now = Date.now()): number {
  let removed = 0;
  for (const db of store.databaseNames()) {
    for (const coll of store.collections(db)) removed += sweepCollection(coll, now);
  }
  return removed;
}

function sweepCollection(coll: Collection, now: number): number {
  // Like mongod, only single-field indexes with a numeric expireAfterSeconds are TTL indexes.
  const ttlIndexes = coll.indexes.filter((i) => typeof i.spec.expireAfterSeconds === 'number' && i.fields.length === 1);
  if (ttlIndexes.length === 0) return 0;
  const expired: Document[] = [];
  for (const doc of coll.docs.values()) {
    const due = ttlIndexes.some((index) => {
      const field = index.fields[0] as string;
      const dates = pathValues(doc, field).filter((v): v is Date => v instanceof Date);
      if (dates.length === 0 || index.keysOf(doc).length === 0) return false;
      // An array of dates expires on its earliest element.
      const earliest = Math.min(...dates.map((d) => d.getTime()));
      return earliest + (index.spec.expireAfterSeconds as number) * 1000 <= now;
    });
    if (due) expired.push(doc);
  }
  for (const doc of expired) coll.remove(doc);
  return expired.length;
}

/** Starts the periodic sweep; the timer is unref'd so it never keeps a process alive. */
export function startMaintenance(store: Store, cursors: CursorManager, intervalMs: number): () => void {
  const timer = setInterval(() => {
    try {
      sweepExpired(store);
      cursors.reapIdle();
    } catch {
      // A failing sweep must not crash the host process; the next tick retries.
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
