import type { mongo } from 'mongoose';

/** The one method of a (driver or mongoose) collection the writer needs. */
interface BulkWritable<T extends mongo.Document> {
  bulkWrite(operations: mongo.AnyBulkWriteOperation<T>[], options: { ordered: false }): Promise<unknown>;
}

/** A write that failed inside a batch; the others of the batch are unaffected. */
export class BatchedWriteError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'BatchedWriteError';
  }
}

export interface BulkWriter<T extends mongo.Document> {
  /** Resolves once the operation is acknowledged by MongoDB (in a batch with whatever else was waiting). */
  write(operation: mongo.AnyBulkWriteOperation<T>): Promise<void>;
}

interface Pending<T extends mongo.Document> {
  operation: mongo.AnyBulkWriteOperation<T>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for independent writes: every write issued while the event loop is busy goes to
 * MongoDB in one unordered `bulkWrite`, and each caller's promise settles with its own outcome.
 * Nothing is acknowledged before MongoDB acknowledged it, so callers keep their durability; what
 * changes is one round trip (and one command for the server to parse) per batch instead of per
 * write. Only for writes whose result callers do not need beyond success (no matchedCount).
 */
export function createBulkWriter<T extends mongo.Document = mongo.Document>(collection: BulkWritable<T>, maxBatch = 500): BulkWriter<T> {
  let pending: Pending<T>[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      await collection.bulkWrite(
        batch.map((p) => p.operation),
        { ordered: false },
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      const failed = writeErrorsByIndex(err);
      if (!failed) {
        for (const p of batch) p.reject(err);
        return;
      }
      batch.forEach((p, i) => {
        const writeError = failed.get(i);
        if (writeError) p.reject(new BatchedWriteError(writeError.code, writeError.errmsg ?? 'write failed'));
        else p.resolve();
      });
    }
  }

  return {
    write(operation) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ operation, resolve, reject });
        if (pending.length >= maxBatch) void flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}

/** Per-operation errors of an unordered bulk write, or undefined when the whole batch failed. */
function writeErrorsByIndex(err: unknown): Map<number, { code?: number; errmsg?: string }> | undefined {
  if (typeof err !== 'object' || err === null || (err as { name?: string }).name !== 'MongoBulkWriteError') return undefined;
  const raw = (err as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as { index: number; code?: number; errmsg?: string }[];
  if (list.length === 0) return undefined;
  return new Map(list.map((e) => [e.index, e]));
}

export interface KeyedLoader<V> {
  /** The document with this key, or null; concurrent loads share one query. */
  load(key: string): Promise<V | null>;
}

/**
 * Group read by a unique key: every `load` issued while the event loop is busy becomes one
 * `{key: {$in: [...]}}` query (`loadMany`), and each caller gets its own document. A read is never
 * older than it would have been alone: the batch is sent after the loop turn that asked for it.
 */
export function createKeyedLoader<V>(loadMany: (keys: string[]) => Promise<V[]>, keyOf: (value: V) => string, maxBatch = 200): KeyedLoader<V> {
  let pending = new Map<string, { resolve: (value: V | null) => void; reject: (err: unknown) => void }[]>();
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending;
    pending = new Map();
    if (batch.size === 0) return;
    try {
      const found = new Map((await loadMany([...batch.keys()])).map((value) => [keyOf(value), value]));
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key) ?? null);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }

  return {
    load(key) {
      return new Promise<V | null>((resolve, reject) => {
        const waiters = pending.get(key);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(key, [{ resolve, reject }]);
        if (pending.size >= maxBatch) void flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
