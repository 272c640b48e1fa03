/**
 * Secondary indexes: a hash map from canonical key encoding to the documents holding that key
 * (by `_id` encoding, so reading a bucket needs no lookup in the collection's primary map).
 * They enforce unique/sparse/partial semantics on writes and give the planner O(1) equality
 * lookups. Range queries scan, which is fine at dev sizes. A compound index also keeps, once a
 * sorted find asks for it, its documents in index order per first-field value (fast/ordered.ts),
 * so that a sorted page can be read by walking it (fast/sorted-walk.ts).
 * While every indexed value is a plain scalar, a bucket holds exactly the documents an equality
 * query matches, so counts can be read from bucket sizes (`exactCount`).
 */
import type { Document } from './bson.js';
import type { Query } from 'mingo/query';
import { collationKey, parseCollation } from './collation.js';
import { compileFilter } from './mingo-options.js';
import { badValue, MongoCommandError } from './errors.js';
import { EMPTY_ARRAY, encodeKey, isPlainObject, pathValues } from './values.js';
import { OrderedIndex } from './fast/ordered.js';
import { COMPLEX, pathReader, type PathReader } from './fast/scalar.js';

/** An index as stored and as returned by `listIndexes`. */
export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/** The stored documents holding one key, by `_id` encoding, in the order they were added. */
export type Bucket = Map<string, Document>;

/** One key a document contributes to an index (several for multikey indexes). */
export interface IndexKey {
  readonly encoded: string;
  readonly values: readonly unknown[];
}

/** Index options mongod accepts in `createIndexes`; anything else is rejected like mongod does. */
const KNOWN_OPTIONS = new Set([
  'key', 'name', 'v', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'background',
  'collation', 'hidden', 'weights', 'default_language', 'language_override', 'textIndexVersion',
  '2dsphereIndexVersion', 'bits', 'min', 'max', 'wildcardProjection', 'storageEngine', 'ns', 'dropDups',
]);

/** Fields that decide whether two specs describe the same index (besides `key`). */
export const IDENTITY_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation'] as const;

/** Cap on keys per document; beyond it mongod would refuse "parallel arrays" anyway. */
const MAX_KEYS_PER_DOC = 1000;

/** Default index name as mongod derives it: `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key).map(([field, dir]) => `${field}_${String(dir)}`).join('_');
}

/** Validates a `createIndexes` entry and returns the spec to store. */
export function normalizeIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw badValue('Index specification must have a non-empty "key" document');
  }
  for (const field of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.has(field)) {
      throw new MongoCommandError('InvalidOptions', `The field '${field}' is not valid for an index specification.`);
    }
  }
  const spec: IndexSpec = { v: 2, key: raw.key, name: typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key) };
  for (const [field, value] of Object.entries(raw)) {
    if (field !== 'key' && field !== 'name' && field !== 'v' && field !== 'ns' && value !== undefined) spec[field] = value;
  }
  if (spec.partialFilterExpression !== undefined && !isPlainObject(spec.partialFilterExpression)) {
    throw badValue('partialFilterExpression must be an object');
  }
  return spec;
}

/** A secondary index over one collection. */
export class SecondaryIndex {
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  private readonly partial: Query | undefined;
  private readonly partialClauses: Array<{ field: string; encoded: string; test: Query }>;
  private readonly entries = new Map<string, Bucket>();
  /** Compound indexes also map their first field alone, so equality on a prefix is served too. */
  private readonly prefixEntries: Map<string, Bucket> | undefined;
  /** Indexed documents holding an array or a non-scalar value at some indexed path. */
  private readonly nonScalar = new Set<string>();
  /** Scalar readers of the indexed paths (undefined for paths the fast paths never serve). */
  private readonly readers: Array<PathReader | undefined>;
  /** The ordered view: built on first use, then maintained; null when this index cannot have one. */
  private order: OrderedIndex | null | undefined;
  /** Key encoding of one value: under a case/diacritic-insensitive collation, strings equal by it share a key. */
  private readonly encode: (value: unknown) => string;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.prefixEntries = this.fields.length > 1 ? new Map() : undefined;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    this.partialClauses = partialClauses(spec.partialFilterExpression);
    this.readers = this.fields.map(pathReader);
    const collation = parseCollation(spec.collation);
    this.encode = collation ? (v) => encodeKey(typeof v === 'string' ? collationKey(v, collation) : v) : encodeKey;
  }

  /** Whether the index has a (non-simple) collation: its keys and order are not the values' own. */
  get collated(): boolean {
    return this.encode !== encodeKey;
  }

  /** Every document the index holds (all of them, unless it is sparse or partial), de-duplicated. */
  allDocs(): { docs: Iterable<Document>; size: number } {
    const found = new Map<string, Document>();
    for (const bucket of this.entries.values()) for (const [id, doc] of bucket) found.set(id, doc);
    return { docs: found.values(), size: found.size };
  }

  get name(): string {
    return this.spec.name;
  }

  /** Keys the document contributes; empty when sparse/partial rules exclude it. */
  keysOf(doc: Document): IndexKey[] {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.fields.map((f) => pathValues(doc, f));
    if (this.sparse && perField.every((values) => values.every((v) => v === undefined))) return [];
    let combos: unknown[][] = [[]];
    for (const values of perField) {
      const next: unknown[][] = [];
      for (const combo of combos) for (const v of values) next.push([...combo, v]);
      combos = next.slice(0, MAX_KEYS_PER_DOC);
    }
    const seen = new Map<string, IndexKey>();
    for (const values of combos) {
      const encoded = values.map((v) => (v === EMPTY_ARRAY ? '[]' : this.encode(v))).join(SEPARATOR);
      if (!seen.has(encoded)) seen.set(encoded, { encoded, values });
    }
    return [...seen.values()];
  }

  /** The first key another document already holds, if this index is unique. */
  conflict(keys: readonly IndexKey[], ownId: string): IndexKey | undefined {
    if (!this.unique) return undefined;
    for (const key of keys) {
      const holders = this.entries.get(key.encoded);
      if (holders && (holders.size > 1 || !holders.has(ownId))) return key;
    }
    return undefined;
  }

  /** Adds the keys `doc` contributes (as computed by `keysOf(doc)`). */
  add(keys: readonly IndexKey[], id: string, doc: Document): void {
    this.place(keys, id, doc, false);
  }

  /**
   * Points the index at `doc`, the updated version of document `id`, when its keys are the ones
   * it was added with (same encodings, same order). `Map.set` on an id a bucket already holds
   * keeps its position, so the document keeps its place among equal keys (insertion order, as
   * mongod keeps RecordId order) instead of moving to the end as a remove + add would.
   * Membership in `nonScalar` and the ordered view depend on the values, not only on their
   * encodings (5 and [5] share one), so both are re-derived from `doc`.
   */
  update(keys: readonly IndexKey[], id: string, doc: Document): void {
    this.place(keys, id, doc, true);
  }

  /** Puts `doc` under `keys` in the buckets and the ordered view (`held`: keys it already has there). */
  private place(keys: readonly IndexKey[], id: string, doc: Document, held: boolean): void {
    for (const key of keys) addTo(this.entries, key.encoded, id, doc);
    if (this.prefixEntries) {
      const leading = prefixes(keys);
      for (const prefix of leading) addTo(this.prefixEntries, prefix, id, doc);
      if (held) this.order?.update(leading, id, doc);
      else this.order?.add(leading, id, doc);
    }
    this.classify(keys, id, doc);
  }

  remove(keys: readonly IndexKey[], id: string): void {
    for (const key of keys) removeFrom(this.entries, key.encoded, id);
    if (this.prefixEntries) for (const prefix of prefixes(keys)) removeFrom(this.prefixEntries, prefix, id);
    this.order?.remove(id);
    this.nonScalar.delete(id);
  }

  /** Records whether the indexed document `id` holds a value its key encoding does not pin exactly. */
  private classify(keys: readonly IndexKey[], id: string, doc: Document): void {
    if (keys.length > 0 && this.readers.some((read) => !read || !isExactKeyValue(read(doc)))) this.nonScalar.add(id);
    else this.nonScalar.delete(id);
  }

  /**
   * The index in order (built on the first call, then kept up to date by `add`/`update`/`remove`), for a
   * compound, non-partial index whose fields after the first all have direction 1 or -1 and
   * paths the fast paths read; undefined for any other index.
   */
  ordered(): OrderedIndex | undefined {
    if (this.order === undefined) {
      const directions = this.fields.slice(1).map((f) => this.spec.key[f] as unknown);
      const readers = this.readers.filter((read) => read !== undefined);
      const orderable = !this.partial && !this.collated && readers.length === this.fields.length && directions.every((d) => d === 1 || d === -1);
      this.order = orderable && this.prefixEntries ? OrderedIndex.build(readers, directions as number[], this.prefixEntries) : null;
    }
    return this.order ?? undefined;
  }

  /** Whether every indexed document has one key (no array or other non-scalar value at an indexed path): then distinct keys' buckets are disjoint. */
  get scalarKeys(): boolean {
    return this.nonScalar.size === 0;
  }

  /** Documents (by `_id` encoding) holding the exact key (values in `fields` order). */
  lookup(values: readonly unknown[]): Bucket | undefined {
    return this.entries.get(values.map(this.encode).join(SEPARATOR));
  }

  /** Documents (by `_id` encoding) whose first indexed field equals `value` (compound indexes only). */
  lookupPrefix(value: unknown): Bucket | undefined {
    return this.prefixEntries?.get(this.encode(value));
  }

  /**
   * How many documents an equality query matches, when bucket sizes say it exactly: `pins` gives,
   * for every field of the query, the exact values it may take (`{a: v}` or `{a: {$in: [...]}}`
   * with values from `isExactPoint`), and covers all fields of this index or only its first one.
   * Exact only while every indexed value is a scalar (no multikey entries, no numeric BSON
   * wrappers whose encoding collides with numbers) and the index is not partial.
   */
  exactCount(pins: ReadonlyMap<string, readonly unknown[]>): number | undefined {
    if (this.partial || this.collated || this.nonScalar.size > 0) return undefined;
    if (pins.size === this.fields.length && this.fields.every((f) => pins.has(f))) {
      let keys = [''];
      for (const [i, field] of this.fields.entries()) {
        const encoded = new Set((pins.get(field) ?? []).map(encodeKey));
        if (keys.length * encoded.size > MAX_EXACT_PROBES) return undefined;
        keys = keys.flatMap((prefix) => [...encoded].map((e) => (i === 0 ? e : `${prefix}${SEPARATOR}${e}`)));
      }
      return keys.reduce((n, key) => n + (this.entries.get(key)?.size ?? 0), 0);
    }
    const lead = pins.get(this.fields[0] as string);
    if (pins.size === 1 && lead && this.prefixEntries) {
      const encoded = new Set(lead.map(encodeKey));
      return [...encoded].reduce((n, key) => n + (this.prefixEntries?.get(key)?.size ?? 0), 0);
    }
    return undefined;
  }

  /** `{field: value}` for error reporting (missing values shown as null, as mongod does). */
  keyValue(key: IndexKey): Document {
    const out: Document = {};
    this.fields.forEach((f, i) => {
      const v = key.values[i];
      out[f] = v === undefined ? null : v === EMPTY_ARRAY ? [] : v;
    });
    return out;
  }

  /**
   * Whether a query may be answered from this index: true unless the index is partial and the
   * query does not imply the partial filter. A clause is implied when the query repeats it
   * verbatim or pins the field to values that all satisfy it (e.g. `{wamid: "x"}` implies
   * `{wamid: {$type: "string"}}`).
   */
  coveredBy(filter: Document, pinned: ReadonlyMap<string, readonly unknown[]>): boolean {
    return this.partialClauses.every(({ field, encoded, test }) => {
      if (field in filter && encodeKey(filter[field]) === encoded) return true;
      const values = pinned.get(field);
      return values !== undefined && values.length > 0 && values.every((v) => test.test({ v }));
    });
  }
}

/** Joins the encoded parts of a compound key; encodeKey never emits it (JSON escapes control chars). */
const SEPARATOR = '\u0001';

/** Upper bound on key combinations summed for one exact count. */
const MAX_EXACT_PROBES = 1000;

/**
 * Whether an indexed value's key encoding is equal to a query value's exactly when mingo's `$eq`
 * says they are equal: scalars only, and not an invalid date (its encoding equals every other
 * invalid date's, while mingo never finds two invalid dates equal).
 */
function isExactKeyValue(value: unknown): boolean {
  return value !== COMPLEX && !(value instanceof Date && Number.isNaN(value.getTime()));
}

function prefixes(keys: readonly IndexKey[]): Set<string> {
  return new Set(keys.map((k) => k.encoded.split(SEPARATOR, 1)[0] as string));
}

function addTo(map: Map<string, Bucket>, key: string, id: string, doc: Document): void {
  const holders = map.get(key);
  if (holders) holders.set(id, doc);
  else map.set(key, new Map([[id, doc]]));
}

function removeFrom(map: Map<string, Bucket>, key: string, id: string): void {
  const holders = map.get(key);
  if (!holders) return;
  holders.delete(id);
  if (holders.size === 0) map.delete(key);
}

/** Top-level clauses of a partial filter (flattening `$and`), each compiled against a field `v`. */
function partialClauses(pfe: Document | undefined): Array<{ field: string; encoded: string; test: Query }> {
  if (!pfe) return [];
  return Object.entries(pfe).flatMap(([field, cond]) => {
    if (field === '$and' && Array.isArray(cond)) return cond.flatMap((c) => partialClauses(isPlainObject(c) ? c : undefined));
    return [{ field, encoded: encodeKey(cond), test: compileFilter({ v: cond }) }];
  });
}
