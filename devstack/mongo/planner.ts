/**
 * Picks the documents a query must look at. When the filter pins every field of an index (or the
 * leading field of a compound one) to exact values (`{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`,
 * also inside a top-level `$and`) the candidates come from the index; otherwise it scans.
 * The full filter is always re-applied by mingo afterwards, so candidates only need to be a
 * superset of the true matches.
 */
import type { Document } from './bson.js';
import type { Collection } from './collection.js';
import { encodeKey, isPlainObject, isPointValue } from './values.js';

/** Upper bound on key combinations probed for one compound `$in` lookup before falling back to a scan. */
const MAX_PROBES = 1000;

/** Candidate documents for `filter` from `coll`, in natural order when scanning. */
export function candidates(coll: Collection, filter: Document): Iterable<Document> {
  const pinned = new Map<string, unknown[]>();
  collectPinned(filter, pinned);
  if (pinned.size === 0) return coll.docs.values();

  const ids = pinned.get('_id');
  if (ids) return fetch(coll, ids.map(encodeKey));

  const usable = coll.indexes.filter((index) => pinned.has(index.fields[0] as string) && index.coveredBy(filter, pinned));
  for (const index of usable) {
    if (!index.fields.every((f) => pinned.has(f))) continue;
    const combos = combinations(index.fields.map((f) => pinned.get(f) as unknown[]));
    if (!combos) continue;
    const found = new Set<string>();
    for (const values of combos) for (const id of index.lookup(values) ?? []) found.add(id);
    return fetch(coll, [...found]);
  }
  // Equality on the leading field of a compound index (e.g. {conversationKey} on {conversationKey, at}).
  const prefixed = usable.find((index) => index.fields.length > 1);
  if (prefixed) {
    const found = new Set<string>();
    for (const value of pinned.get(prefixed.fields[0] as string) ?? []) for (const id of prefixed.lookupPrefix(value) ?? []) found.add(id);
    return fetch(coll, [...found]);
  }
  return coll.docs.values();
}

function fetch(coll: Collection, ids: string[]): Document[] {
  const out: Document[] = [];
  for (const id of new Set(ids)) {
    const doc = coll.docs.get(id);
    if (doc) out.push(doc);
  }
  return out;
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
