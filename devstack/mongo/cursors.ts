/**
 * Server-side cursors. Results are materialised when the cursor is opened (the stored documents
 * are immutable snapshots, so this costs only an array of references) and handed out in batches
 * bounded by count and by mongod's 16 MiB reply budget.
 */
import { calculateObjectSize, Long, type Document } from './bson.js';
import { MongoCommandError } from './errors.js';

/** mongod's default first batch size for find/aggregate when the client does not ask. */
export const DEFAULT_FIRST_BATCH = 101;
/** Per-batch byte budget, as mongod: the max BSON object size. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** mongod's `cursorTimeoutMillis` default: idle cursors are reaped after 10 minutes. */
const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  readonly ns: string;
  readonly docs: Document[];
  position: number;
  lastUsed: number;
}

export class CursorManager {
  private readonly open = new Map<number, OpenCursor>();
  /** Ids are random-ish per server so a stale id from another run is unlikely to be valid. */
  private nextId = 1 + Math.floor(Math.random() * 1e9);

  get size(): number {
    return this.open.size;
  }

  /** Builds the `{cursor: {firstBatch, id, ns}}` reply, keeping the rest for `getMore`. */
  start(ns: string, docs: Document[], batchSize: unknown, singleBatch = false): Document {
    const firstBatch = takeBatch(docs, 0, toBatchSize(batchSize, DEFAULT_FIRST_BATCH));
    let id = 0;
    if (!singleBatch && firstBatch.length < docs.length) {
      id = this.nextId++;
      this.open.set(id, { ns, docs, position: firstBatch.length, lastUsed: Date.now() });
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  /** Handles `getMore`: the next batch, closing the cursor once exhausted. */
  more(rawId: unknown, ns: string, batchSize: unknown): Document {
    const id = toCursorId(rawId);
    const cursor = this.open.get(id);
    if (!cursor || cursor.ns !== ns) {
      throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    }
    const nextBatch = takeBatch(cursor.docs, cursor.position, toBatchSize(batchSize, Infinity));
    cursor.position += nextBatch.length;
    cursor.lastUsed = Date.now();
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.open.delete(id);
    return { cursor: { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns }, ok: 1 };
  }

  /** Handles `killCursors`, reporting ids the way mongod does. */
  kill(ids: unknown[]): Document {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = toCursorId(raw);
      (this.open.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  /** Drops the cursors of a dropped collection, or of a whole database when `coll` is omitted. */
  killNamespace(db: string, coll?: string): void {
    for (const [id, cursor] of this.open) {
      if (coll === undefined ? cursor.ns.startsWith(`${db}.`) : cursor.ns === `${db}.${coll}`) this.open.delete(id);
    }
  }

  /** Reaps cursors idle for longer than mongod's default timeout. */
  reapIdle(now = Date.now()): void {
    for (const [id, cursor] of this.open) if (now - cursor.lastUsed > CURSOR_TIMEOUT_MS) this.open.delete(id);
  }

  clear(): void {
    this.open.clear();
  }
}

function toBatchSize(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new MongoCommandError('BadValue', 'batchSize must be non-negative');
  return n === 0 && fallback === Infinity ? Infinity : n;
}

function toCursorId(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  throw new MongoCommandError('TypeMismatch', `cursor id must be a long, got ${typeof value}`);
}

function takeBatch(docs: Document[], from: number, limit: number): Document[] {
  const batch: Document[] = [];
  let bytes = 0;
  for (let i = from; i < docs.length && batch.length < limit; i++) {
    const doc = docs[i] as Document;
    // Only count bytes for multi-document batches; a single document always fits (max 16 MiB).
    if (batch.length > 0 || limit > 1) {
      bytes += calculateObjectSize(doc);
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    }
    batch.push(doc);
  }
  return batch;
}
