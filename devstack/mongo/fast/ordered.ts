/**
 * A compound index's documents in index order, per value of its first field: what lets a sorted
 * page (`find({org_id}).sort({created_at: -1, _id: -1}).limit(50)`) be read by walking the
 * index and stopping after the page instead of reading every candidate (see sorted-walk.ts).
 *
 * Each bucket (the documents whose first indexed field has one value, as `SecondaryIndex`'s
 * prefix buckets) is a sorted list of chunks (at most 512 entries each): insertion and removal
 * are a binary search plus a short splice, a walk is an array iteration in either direction.
 * The order is mingo's sort order over the remaining indexed fields, in the index's directions,
 * then the `_id` encoding (which only makes the order total; the walk never relies on it).
 *
 * Only plain scalars take part (see scalar.ts): a document holding an array, an embedded
 * document or another BSON type at any indexed path, NaN, or an invalid date is counted as
 * "unordered" in its buckets instead, and a walk refuses a bucket holding one.
 */
import type { Document } from '../bson.js';
import { COMPLEX, type PathReader } from './scalar.js';
import { compareKeys, pushSortKey, sameSortKey, type SortKey } from './sort-key.js';

/** Split a chunk when it grows past this many entries. */
const MAX_CHUNK = 512;

/** A bound of a range over one field, as a sort key of that field (see `OrderedBucket.between`). */
export interface OrderBound {
  readonly key: SortKey;
  readonly inclusive: boolean;
}

/** One ordered document of a bucket. */
interface Entry {
  readonly id: string;
  /** Repointed by `OrderedIndex.update` when an update leaves the sort key as it was. */
  doc: Document;
  readonly key: SortKey;
  readonly bucket: OrderedBucket;
}

/** A position between entries: before entry `offset` of chunk `chunk` (chunk = chunks.length: the end). */
interface Position {
  readonly chunk: number;
  readonly offset: number;
}

/** The documents of one first-field value, in index order. */
export class OrderedBucket {
  /** Sorted chunks, none empty; every entry of a chunk precedes every entry of the next. */
  private chunks: Entry[][] = [];
  /** Documents of this bucket that are not in the order (non-scalar or unordered values). */
  unordered = 0;

  constructor(
    readonly prefix: string,
    private readonly directions: readonly number[],
  ) {}

  get empty(): boolean {
    return this.chunks.length === 0 && this.unordered === 0;
  }

  /** Replaces the content with `entries` (in any order): one sort, then chunks half full. */
  load(entries: Entry[]): void {
    entries.sort((a, b) => this.compare(a, b));
    this.chunks = [];
    for (let i = 0; i < entries.length; i += MAX_CHUNK / 2) this.chunks.push(entries.slice(i, i + MAX_CHUNK / 2));
  }

  insert(entry: Entry): void {
    const { chunks } = this;
    if (chunks.length === 0) {
      chunks.push([entry]);
      return;
    }
    let { chunk: c, offset } = this.locate(entry);
    if (c === chunks.length) {
      c--;
      offset = (chunks[c] as Entry[]).length;
    }
    const chunk = chunks[c] as Entry[];
    chunk.splice(offset, 0, entry);
    if (chunk.length > MAX_CHUNK) chunks.splice(c + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  remove(entry: Entry): void {
    const { chunks } = this;
    let { chunk: c, offset } = this.locate(entry);
    if (chunks[c]?.[offset] !== entry) {
      // Unreachable while the order is consistent; a linear search keeps the structure exact anyway.
      c = chunks.findIndex((chunk) => chunk.includes(entry));
      if (c < 0) return;
      offset = (chunks[c] as Entry[]).indexOf(entry);
    }
    const chunk = chunks[c] as Entry[];
    chunk.splice(offset, 1);
    if (chunk.length === 0) chunks.splice(c, 1);
  }

  /**
   * Visits, in index order (`reverse`: backwards), the entries whose leading fields equal
   * `pinned` (a sort key of `pinned.length / 2` fields; empty: all entries), until `visit`
   * returns false. Gives up after `budget` entries and returns false; true when done.
   */
  walk(pinned: SortKey, reverse: boolean, budget: number, visit: (doc: Document) => boolean): boolean {
    const fields = pinned.length / 2;
    const { chunks } = this;
    const from: Position = fields ? this.position((e) => compareKeys(e.key, pinned, this.directions, fields) >= 0) : { chunk: 0, offset: 0 };
    const to: Position = fields ? this.position((e) => compareKeys(e.key, pinned, this.directions, fields) > 0) : { chunk: chunks.length, offset: 0 };
    let left = budget;
    if (!reverse) {
      for (let c = from.chunk, offset = from.offset; c < to.chunk || (c === to.chunk && offset < to.offset); ) {
        const chunk = chunks[c] as Entry[];
        const end = c === to.chunk ? to.offset : chunk.length;
        for (; offset < end; offset++) {
          if (left-- === 0) return false;
          if (!visit((chunk[offset] as Entry).doc)) return true;
        }
        c++;
        offset = 0;
      }
      return true;
    }
    for (let c = to.chunk, offset = to.offset; c > from.chunk || (c === from.chunk && offset > from.offset); ) {
      if (offset === 0) {
        c--;
        offset = (chunks[c] as Entry[]).length;
        continue;
      }
      const chunk = chunks[c] as Entry[];
      const start = c === from.chunk ? from.offset : 0;
      for (; offset > start; offset--) {
        if (left-- === 0) return false;
        if (!visit((chunk[offset - 1] as Entry).doc)) return true;
      }
    }
    return true;
  }

  /**
   * The entries whose fields after the first equal `pinned` (a sort key of `pinned.length / 2`
   * fields; empty: any) and whose next field lies between `first` and `last` (one field's sort key
   * each, in index order: `first` is met first walking forward; undefined: open), counted without
   * being read; undefined when the bucket holds a document the order cannot place.
   */
  between(pinned: SortKey, first: OrderBound | undefined, last: OrderBound | undefined): { size: number; docs: () => Iterable<Document> } | undefined {
    if (this.unordered > 0) return undefined;
    const fields = pinned.length / 2;
    const { chunks } = this;
    const against = (bound: OrderBound) => {
      const key = [...pinned, ...bound.key];
      return (e: Entry) => compareKeys(e.key, key, this.directions, fields + 1);
    };
    let from: Position = { chunk: 0, offset: 0 };
    if (first) {
      const c = against(first);
      from = this.position(first.inclusive ? (e) => c(e) >= 0 : (e) => c(e) > 0);
    } else if (fields) from = this.position((e) => compareKeys(e.key, pinned, this.directions, fields) >= 0);
    let to: Position = { chunk: chunks.length, offset: 0 };
    if (last) {
      const c = against(last);
      to = this.position(last.inclusive ? (e) => c(e) > 0 : (e) => c(e) >= 0);
    } else if (fields) to = this.position((e) => compareKeys(e.key, pinned, this.directions, fields) > 0);
    const before = (a: Position, b: Position) => a.chunk < b.chunk || (a.chunk === b.chunk && a.offset < b.offset);
    if (!before(from, to)) return { size: 0, docs: () => [] };
    let size = 0;
    for (let c = from.chunk; c <= to.chunk && c < chunks.length; c++) {
      const start = c === from.chunk ? from.offset : 0;
      const end = c === to.chunk ? to.offset : (chunks[c] as Entry[]).length;
      size += end - start;
    }
    function* docs(): Iterable<Document> {
      for (let c = from.chunk; c <= to.chunk && c < chunks.length; c++) {
        const chunk = chunks[c] as Entry[];
        const end = c === to.chunk ? to.offset : chunk.length;
        for (let i = c === from.chunk ? from.offset : 0; i < end; i++) yield (chunk[i] as Entry).doc;
      }
    }
    return { size, docs };
  }

  /** The entries' documents in order (tests). */
  docs(): Document[] {
    return this.chunks.flatMap((chunk) => chunk.map((e) => e.doc));
  }

  private compare(a: Entry, b: Entry): number {
    const c = compareKeys(a.key, b.key, this.directions, this.directions.length);
    if (c !== 0) return c;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  /**
   * Where `entry` is or would go: the first position whose entry does not precede it. (The
   * searches are written out rather than given a predicate: this runs on every write.)
   */
  private locate(entry: Entry): Position {
    const { chunks } = this;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as Entry[];
      if (this.compare(chunk[chunk.length - 1] as Entry, entry) >= 0) hi = mid;
      else lo = mid + 1;
    }
    const chunk = chunks[lo];
    if (!chunk) return { chunk: lo, offset: 0 };
    let from = 0;
    let to = chunk.length;
    while (from < to) {
      const mid = (from + to) >>> 1;
      if (this.compare(chunk[mid] as Entry, entry) >= 0) to = mid;
      else from = mid + 1;
    }
    return { chunk: lo, offset: from };
  }

  /** The first position whose entry satisfies `test`, a predicate false then true along the order. */
  private position(test: (e: Entry) => boolean): Position {
    const chunk = this.firstChunk(test);
    return { chunk, offset: chunk < this.chunks.length ? firstIn(this.chunks[chunk] as Entry[], test) : 0 };
  }

  /** The first chunk whose last entry satisfies `test` (chunks.length when none does). */
  private firstChunk(test: (e: Entry) => boolean): number {
    const { chunks } = this;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as Entry[];
      if (test(chunk[chunk.length - 1] as Entry)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function firstIn(chunk: readonly Entry[], test: (e: Entry) => boolean): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(chunk[mid] as Entry)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The ordered view of a compound index: `readers` read all its fields, `directions` are the
 * directions (1 or -1) of all fields but the first, which only picks the bucket.
 */
export class OrderedIndex {
  private readonly buckets = new Map<string, OrderedBucket>();
  /** Per document: its entry, or the buckets counting it as unordered. */
  private readonly members = new Map<string, Entry | OrderedBucket[]>();

  constructor(
    private readonly readers: readonly PathReader[],
    readonly directions: readonly number[],
  ) {}

  /** Builds the view from an index's prefix buckets (one sort per bucket). */
  static build(readers: readonly PathReader[], directions: readonly number[], prefixBuckets: ReadonlyMap<string, ReadonlyMap<string, Document>>): OrderedIndex {
    const index = new OrderedIndex(readers, directions);
    for (const [prefix, docs] of prefixBuckets) {
      const bucket = index.bucketFor(prefix);
      const entries: Entry[] = [];
      for (const [id, doc] of docs) {
        const entry = index.entryOf(id, doc, bucket);
        if (entry) {
          entries.push(entry);
          index.members.set(id, entry);
        } else index.countUnordered(id, bucket);
      }
      bucket.load(entries);
    }
    return index;
  }

  /** Adds a document under its first-field keys (`prefixes`: several for an array there). */
  add(prefixes: ReadonlySet<string>, id: string, doc: Document): void {
    if (this.members.has(id)) this.remove(id);
    if (prefixes.size === 0) return;
    const [only] = prefixes;
    const entry = prefixes.size === 1 ? this.entryOf(id, doc, this.bucketFor(only as string)) : undefined;
    if (entry) {
      entry.bucket.insert(entry);
      this.members.set(id, entry);
      return;
    }
    for (const prefix of prefixes) this.countUnordered(id, this.bucketFor(prefix));
  }

  /**
   * Points a document at its updated version, whose first-field keys (`prefixes`) are unchanged
   * (the caller compared key encodings). Equal encodings do not imply an equal sort key or the
   * same orderability (5, [5] and Long(5) all encode as `d5`; -0 as 0), so the new sort key is
   * compared too: when it is the same, the entry keeps its place and only its document changes,
   * sparing a removal and a binary-search insertion; otherwise the document moves as in `add`.
   */
  update(prefixes: ReadonlySet<string>, id: string, doc: Document): void {
    const member = this.members.get(id);
    if (member !== undefined) {
      const entry = prefixes.size === 1 ? this.entryOf(id, doc, Array.isArray(member) ? (member[0] as OrderedBucket) : member.bucket) : undefined;
      // Still unordered, counted in the same buckets: nothing refers to the document.
      if (Array.isArray(member) && !entry) return;
      if (!Array.isArray(member) && entry && sameSortKey(entry.key, member.key)) {
        member.doc = doc;
        return;
      }
    }
    this.add(prefixes, id, doc);
  }

  remove(id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    const buckets = Array.isArray(member) ? member : [member.bucket];
    if (!Array.isArray(member)) member.bucket.remove(member);
    for (const bucket of buckets) {
      if (Array.isArray(member)) bucket.unordered--;
      if (bucket.empty) this.buckets.delete(bucket.prefix);
    }
  }

  /** The bucket of an encoded first-field value. */
  bucket(prefix: string): OrderedBucket | undefined {
    return this.buckets.get(prefix);
  }

  private bucketFor(prefix: string): OrderedBucket {
    let bucket = this.buckets.get(prefix);
    if (!bucket) {
      bucket = new OrderedBucket(prefix, this.directions);
      this.buckets.set(prefix, bucket);
    }
    return bucket;
  }

  private countUnordered(id: string, bucket: OrderedBucket): void {
    bucket.unordered++;
    const member = this.members.get(id);
    if (Array.isArray(member)) member.push(bucket);
    else this.members.set(id, [bucket]);
  }

  /** The document's entry, or undefined when a value at an indexed path keeps it out of the order. */
  private entryOf(id: string, doc: Document, bucket: OrderedBucket): Entry | undefined {
    const readers = this.readers;
    if ((readers[0] as PathReader)(doc) === COMPLEX) return undefined;
    const key: SortKey = [];
    for (let i = 1; i < readers.length; i++) {
      const value = (readers[i] as PathReader)(doc);
      if (value === COMPLEX || !pushSortKey(key, value)) return undefined;
    }
    return { id, doc, key, bucket };
  }
}
