/**
 * Secondary indexes: a hash map from canonical key encoding to the `_id`s holding that key.
 * They enforce unique/sparse/partial semantics on writes and give the planner O(1) equality
 * lookups. Ordering (range scans) is not indexed: range queries scan, which is fine at dev sizes.
 */
import type { Document } from './bson.js';
import type { Query } from 'mingo/query';
import { compileFilter } from './mingo-options.js';
import { badValue, MongoCommandError } from './errors.js';
import { EMPTY_ARRAY, encodeKey, isPlainObject, pathValues } from './values.js';

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
  private readonly entries = new Map<string, Set<string>>();
  /** Compound indexes also map their first field alone, so equality on a prefix is served too. */
  private readonly prefixEntries: Map<string, Set<string>> | undefined;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.prefixEntries = this.fields.length > 1 ? new Map() : undefined;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    this.partialClauses = partialClauses(spec.partialFilterExpression);
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
      const encoded = values.map((v) => (v === EMPTY_ARRAY ? '[]' : encodeKey(v))).join(SEPARATOR);
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

  add(keys: readonly IndexKey[], id: string): void {
    for (const key of keys) addTo(this.entries, key.encoded, id);
    if (this.prefixEntries) for (const prefix of prefixes(keys)) addTo(this.prefixEntries, prefix, id);
  }

  remove(keys: readonly IndexKey[], id: string): void {
    for (const key of keys) removeFrom(this.entries, key.encoded, id);
    if (this.prefixEntries) for (const prefix of prefixes(keys)) removeFrom(this.prefixEntries, prefix, id);
  }

  /** `_id` encodings of documents holding the exact key (values in `fields` order). */
  lookup(values: readonly unknown[]): ReadonlySet<string> | undefined {
    return this.entries.get(values.map(encodeKey).join(SEPARATOR));
  }

  /** `_id` encodings of documents whose first indexed field equals `value` (compound indexes only). */
  lookupPrefix(value: unknown): ReadonlySet<string> | undefined {
    return this.prefixEntries?.get(encodeKey(value));
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

function prefixes(keys: readonly IndexKey[]): Set<string> {
  return new Set(keys.map((k) => k.encoded.split(SEPARATOR, 1)[0] as string));
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const holders = map.get(key);
  if (holders) holders.add(id);
  else map.set(key, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
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
