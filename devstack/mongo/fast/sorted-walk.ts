/**
 * Sorted pages read by walking an index in order: `find({org_id: X, ...}).sort({created_at: -1,
 * _id: -1}).skip(s).limit(50)` over the index `{org_id: 1, created_at: -1, _id: -1}` visits the
 * organization's leads newest first, tests each against the filter and stops once the page is
 * full, instead of matching and selecting among all 90,000 of them.
 *
 * The page is exactly mingo's, which sorts the matching candidates stably. The walk is used only
 * when that order cannot depend on the candidates' order, i.e. has no ties:
 * - the filter pins the index's leading fields (at least the first) to one exact value each
 *   (`{f: v}`, `{f: {$eq: v}}`, `{f: {$in: [v]}}`, also inside a top-level `$and`; v a string,
 *   number, boolean, valid date or ObjectId), so every match lies in one stretch of the order;
 * - the sort keys are exactly the index fields after those, in the index's directions or all
 *   reversed (then the walk goes backwards), with direction 1/-1;
 * - the sort includes `_id` (unique), or the index is unique and the sort covers all its
 *   remaining fields: no two documents have equal sort values;
 * - the index is not partial, the filter is one the fast predicate compiles (so testing fewer or
 *   other documents than mingo would cannot hide or raise an error), and no document of the
 *   bucket holds a value the order cannot place (see ordered.ts).
 * Mixed types under a sort key are fine: the order is mingo's across types.
 *
 * A walk that tests as many documents as the planner's candidates hold without filling the page
 * (a selective filter served by another index) gives up, and the caller sorts the candidates.
 */
import type { Document } from '../bson.js';
import type { Collection } from '../collection.js';
import type { IndexSpec, SecondaryIndex } from '../indexes.js';
import { encodeKey, isPlainObject } from '../values.js';
import { compilePredicate } from './filter.js';
import { isExactPoint } from './index-count.js';
import { pushSortKey, type SortKey } from './sort-key.js';
import type { Scalar } from './scalar.js';

/** A walk that can serve a query: the index and which way to go. */
interface WalkPlan {
  readonly index: SecondaryIndex;
  /** How many leading index fields the filter pins (the sort starts at this field). */
  readonly pinned: number;
  readonly reverse: boolean;
}

/**
 * Documents `skip .. skip + limit` (limit 0: all) of the documents matching `filter` in `sort`
 * order, read from an index in order; undefined when no index qualifies or the walk gave up
 * after `budget` documents.
 */
export function walkSortedPage(
  coll: Collection,
  filter: Document,
  sort: Document,
  skip: number,
  limit: number,
  test: (doc: Document) => boolean,
  budget: number,
  /** Told which index served the page (for `explain`). */
  onWalk?: (spec: IndexSpec) => void,
): Document[] | undefined {
  const pins = singlePins(filter, new Map());
  if (pins.size === 0) return undefined;
  // The index pinning the most fields walks the narrowest stretch.
  const plans = coll.indexes
    .flatMap((index) => {
      const plan = planWalk(index, pins, sort);
      return plan ? [plan] : [];
    })
    .sort((x, y) => y.pinned - x.pinned);
  if (plans.length === 0 || !compilePredicate(filter)) return undefined;
  for (const { index, pinned, reverse } of plans) {
    const ordered = index.ordered();
    if (!ordered) continue;
    const bucket = ordered.bucket(encodeKey(pins.get(index.fields[0] as string)));
    // No document holds the first field's value: nothing matches.
    if (!bucket) {
      onWalk?.(index.spec);
      return [];
    }
    if (bucket.unordered > 0) continue;
    const range: SortKey = [];
    for (const field of index.fields.slice(1, pinned)) pushSortKey(range, pins.get(field) as Scalar);
    const page: Document[] = [];
    let skipped = 0;
    const done = bucket.walk(range, reverse, budget, (doc) => {
      if (!test(doc)) return true;
      if (skipped < skip) skipped++;
      else if (page.push(doc) === limit) return false;
      return true;
    });
    if (done) onWalk?.(index.spec);
    return done ? page : undefined;
  }
  return undefined;
}

/** Whether `index` can serve the sort for these pins, and how. */
function planWalk(index: SecondaryIndex, pins: ReadonlyMap<string, unknown>, sort: Document): WalkPlan | undefined {
  const keys = Object.keys(sort);
  const { fields } = index;
  const pinned = fields.indexOf(keys[0] as string);
  if (pinned < 1 || pinned + keys.length > fields.length || index.spec.partialFilterExpression !== undefined) return undefined;
  for (let i = 0; i < pinned; i++) if (!pins.has(fields[i] as string)) return undefined;
  let forward = true;
  let backward = true;
  for (const [i, key] of keys.entries()) {
    const direction: unknown = sort[key];
    const indexed: unknown = index.spec.key[key];
    if (fields[pinned + i] !== key || (direction !== 1 && direction !== -1) || (indexed !== 1 && indexed !== -1)) return undefined;
    forward &&= direction === indexed;
    backward &&= direction === -indexed;
  }
  if (!forward && !backward) return undefined;
  const tieFree = keys.includes('_id') || (index.unique && pinned + keys.length === fields.length);
  return tieFree ? { index, pinned, reverse: !forward } : undefined;
}

/**
 * Per field, the one exact value the filter requires (top-level clauses and top-level `$and`
 * branches): a necessary condition for a match, which is all the walk needs.
 */
function singlePins(filter: Document, pins: Map<string, unknown>): Map<string, unknown> {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const branch of cond) if (isPlainObject(branch)) singlePins(branch, pins);
      continue;
    }
    if (field.startsWith('$') || pins.has(field)) continue;
    if (isExactPoint(cond)) pins.set(field, cond);
    else if (isPlainObject(cond)) {
      const list: unknown = cond.$in;
      if ('$eq' in cond && isExactPoint(cond.$eq)) pins.set(field, cond.$eq);
      else if (Array.isArray(list) && list.length === 1 && isExactPoint(list[0])) pins.set(field, list[0]);
    }
  }
  return pins;
}
