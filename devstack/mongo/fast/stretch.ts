/**
 * Stretches of a compound index's ordered view (ordered.ts) as query candidates: the documents
 * whose leading fields equal values a filter pins and whose next field lies in the filter's range
 * on it, e.g. a campaign's due enrollments `{org_id, campaign_id, status: {$in}, next_step_at:
 * {$lte: t}}` over `(org_id, campaign_id, status, next_step_at)`. The planner (planner.ts) decides
 * when a stretch serves; this reads it. A stretch is a superset of the matches: the filter is
 * applied to each document afterwards.
 */
import type { Document } from '../bson.js';
import { encodeKey, isPlainObject } from '../values.js';
import type { OrderBound, OrderedIndex } from './ordered.js';
import type { Scalar } from './scalar.js';
import { pushSortKey, type SortKey } from './sort-key.js';

/** Bounds on one field's values, as sort keys of that field. */
export interface ValueRange {
  lower?: OrderBound;
  upper?: OrderBound;
}

/**
 * The bounds a field condition puts on its values: `$gt`/`$gte` and `$lt`/`$lte` on a scalar
 * (other operators beside them are ignored: the bounds are still necessary), or null and missing
 * for `{$exists: false}` and `{$eq: null}`. undefined when there are none.
 */
export function rangeOf(cond: unknown): ValueRange | undefined {
  if (!isPlainObject(cond)) return undefined;
  const nullKey: SortKey = [];
  pushSortKey(nullKey, null);
  const range: ValueRange = {};
  for (const [op, value] of Object.entries(cond)) {
    if (!op.startsWith('$')) return undefined; // an embedded document's equality
    if ((op === '$exists' && value === false) || (op === '$eq' && value === null)) {
      range.lower = range.upper = { key: nullKey, inclusive: true };
      continue;
    }
    const lower = op === '$gt' || op === '$gte';
    const upper = op === '$lt' || op === '$lte';
    if ((!lower && !upper) || value === null || value === undefined) continue;
    const key: SortKey = [];
    if (!pushSortKey(key, value as Scalar)) continue;
    const bound = { key, inclusive: op.endsWith('e') };
    if (lower && !range.lower) range.lower = bound;
    if (upper && !range.upper) range.upper = bound;
  }
  return range.lower || range.upper ? range : undefined;
}

/**
 * The documents of `ordered` under each combination of pinned leading values (`combos`: the first
 * field's value, then the next ones') within `range` on the field after them (`ascending`: its
 * direction in the index), counted without being read; undefined when the view cannot serve (a
 * bucket holding a value the order cannot place, a pinned value without a sort key).
 */
export function readStretches(ordered: OrderedIndex, combos: readonly unknown[][], range: ValueRange | undefined, ascending: boolean): { docs: Iterable<Document>; size: number } | undefined {
  // In index order: ascending meets the lower bound first, descending the upper one.
  const first = ascending ? range?.lower : range?.upper;
  const last = ascending ? range?.upper : range?.lower;
  const stretches: Array<() => Iterable<Document>> = [];
  const seen = new Set<string>();
  let size = 0;
  for (const [leading, ...rest] of combos) {
    if (leading === null || leading === undefined) return undefined;
    const key: SortKey = [];
    for (const value of rest) if (value === null || !pushSortKey(key, value as Scalar)) return undefined;
    const prefix = encodeKey(leading);
    // Distinct pinned values can share a key (5 and 5.0): that stretch once. Distinct stretches
    // share no document (a document of the order has one place in it).
    const id = `${prefix}\u0001${JSON.stringify(key)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const bucket = ordered.bucket(prefix);
    if (!bucket) continue; // no document holds that first value
    const found = bucket.between(key, first, last);
    if (!found) return undefined;
    size += found.size;
    stretches.push(found.docs);
  }
  return { docs: chain(stretches), size };
}

/** The documents of several sources one after another, each read when reached. */
export function* chain(sources: Array<() => Iterable<Document>>): Iterable<Document> {
  for (const source of sources) yield* source();
}
