/**
 * Picks the documents a query must look at. When the filter pins every field of an index (or the
 * leading field of a compound one) to exact values (`{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`,
 * also inside a top-level `$and`) the candidates come from the index; otherwise it scans.
 * The full filter is always re-applied afterwards (fast/filter.ts, with mingo's semantics), so
 * candidates only need to be a superset of the true matches.
 */
import type { Document } from './bson.js';
import type { Collection } from './collection.js';
import type { Bucket } from './indexes.js';
import { encodeKey, isPlainObject, isPointValue } from './values.js';

/** Upper bound on key combinations probed for one compound `$in` lookup before falling back to a scan. */
const MAX_PROBES = 1000;

/** The candidates of a query and how many there are. */
export interface CandidateSet {
  readonly docs: Iterable<Document>;
  readonly size: number;
}

/** Candidate documents for `filter` from `coll`, in natural order when scanning. */
export function candidates(coll: Collection, filter: Document): Iterable<Document> {
  return candidateSet(coll, filter).docs;
}

/** Candidate documents for `filter` from `coll` (as `candidates`), with their number. */
export function candidateSet(coll: Collection, filter: Document): CandidateSet {
  const all = { docs: coll.docs.values(), size: coll.docs.size };
  const pinned = new Map<string, unknown[]>();
  collectPinned(filter, pinned);
  if (pinned.size === 0) return all;

  const ids = pinned.get('_id');
  if (ids) return fetch(coll, ids.map(encodeKey));

  const usable = coll.indexes.filter((index) => pinned.has(index.fields[0] as string) && index.coveredBy(filter, pinned));
  for (const index of usable) {
    if (!index.fields.every((f) => pinned.has(f))) continue;
    const combos = combinations(index.fields.map((f) => pinned.get(f) as unknown[]));
    if (!combos) continue;
    return union(combos.map((values) => index.lookup(values)));
  }
  // Equality on the leading field of a compound index (e.g. {conversationKey} on {conversationKey, at}).
  const prefixed = usable.find((index) => index.fields.length > 1);
  if (prefixed) {
    return union((pinned.get(prefixed.fields[0] as string) ?? []).map((value) => prefixed.lookupPrefix(value)));
  }
  return all;
}

function fetch(coll: Collection, ids: string[]): CandidateSet {
  const out: Document[] = [];
  for (const id of new Set(ids)) {
    const doc = coll.docs.get(id);
    if (doc) out.push(doc);
  }
  return { docs: out, size: out.length };
}

/** Documents of the union of index buckets, in bucket order (a single bucket needs no de-duplication). */
function union(buckets: Array<Bucket | undefined>): CandidateSet {
  const present = buckets.filter((bucket) => bucket !== undefined);
  if (present.length === 1) return { docs: (present[0] as Bucket).values(), size: (present[0] as Bucket).size };
  const found = new Map<string, Document>();
  for (const bucket of present) for (const [id, doc] of bucket) if (!found.has(id)) found.set(id, doc);
  return { docs: found.values(), size: found.size };
}

/** Records, per field, the exact values the filter restricts it to (intersecting `$and` branches loosely). */
function collectPinned(filter: Document, pinned: Map<string, unknown[]>): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const branch of cond) if (isPlainObject(branch)) collectPinned(branch, pinned);
      continue;
    }
    if (field.startsWith('$')) continue;
    const values = pointValues(cond);
    if (values && !pinned.has(field)) pinned.set(field, values);
  }
}

function pointValues(cond: unknown): unknown[] | undefined {
  if (isPointValue(cond)) return [cond];
  if (!isPlainObject(cond)) return undefined;
  if ('$eq' in cond) return isPointValue(cond.$eq) ? [cond.$eq] : undefined;
  const list: unknown = cond.$in;
  if (Array.isArray(list) && list.every(isPointValue)) return list;
  return undefined;
}

function combinations(lists: unknown[][]): unknown[][] | undefined {
  let combos: unknown[][] = [[]];
  for (const list of lists) {
    if (combos.length * list.length > MAX_PROBES) return undefined;
    combos = combos.flatMap((combo) => list.map((v) => [...combo, v]));
  }
  return combos;
}
