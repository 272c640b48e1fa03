/**
 * The head of an aggregation pipeline, run without mingo when it has the shape of a list
 * screen's count or a dashboard's totals: `$match` (a filter the fast predicate compiles), any
 * `$skip`/`$limit`, then optionally a simple `$group` (see group.ts). `countDocuments` is
 * exactly this: `[{$match}, {$skip}?, {$limit}?, {$group: {_id: 1, n: {$sum: 1}}}]`.
 *
 * The `$match` takes its candidates from the planner instead of cloning every stored document
 * first, a count-only group counts without building documents (from index sizes when possible),
 * and whatever follows the head still runs through mingo on the head's output.
 */
import type { Document } from '../bson.js';
import type { Collection } from '../collection.js';
import { candidates } from '../planner.js';
import { countMatches, matchAll } from '../query.js';
import { isPlainObject } from '../values.js';
import { compileMatcher, compilePredicate } from './filter.js';
import { groupOfCount, isCountOnly, planGroup, runGroup } from './group.js';

/** What mingo still has to do: run `rest` over `input`. */
export interface PipelineRest {
  readonly input: Document[];
  readonly rest: Document[];
}

/** A `$skip`/`$limit` window over the matched documents. */
interface Window {
  skip: number;
  limit: number;
}

/** Runs the pipeline's head when it has the supported shape; undefined otherwise (mingo runs it all). */
export function runHead(coll: Collection, stages: readonly Document[]): PipelineRest | undefined {
  const filter: unknown = stages[0]?.$match;
  // `$documents` must be the first stage; cutting the pipeline could hide a misplaced one.
  if (!isPlainObject(filter) || !compilePredicate(filter) || stages.some((stage) => '$documents' in stage)) return undefined;
  const window: Window = { skip: 0, limit: Infinity };
  let next = 1;
  while (next < stages.length && narrow(window, stages[next] as Document)) next++;

  const spec: unknown = stages[next]?.$group;
  const plan = isPlainObject(spec) ? planGroup(spec) : undefined;
  const afterGroup = stages.slice(next + 1);
  if (plan && isCountOnly(plan)) {
    const n = countMatches(coll, filter);
    return { input: groupOfCount(plan, Math.max(0, Math.min(n - window.skip, window.limit))), rest: afterGroup };
  }
  const whole = window.skip === 0 && window.limit === Infinity;
  if (plan && whole) {
    // The group reads the candidates directly: one pass over the documents.
    const grouped = runGroup(plan, candidates(coll, filter), compileMatcher(filter));
    if (grouped) return { input: grouped, rest: afterGroup };
  }
  const matched = matchAll(coll, filter);
  const page = whole ? matched : matched.slice(window.skip, window.skip + window.limit);
  const grouped = plan && !whole ? runGroup(plan, page, () => true) : undefined;
  return grouped ? { input: grouped, rest: afterGroup } : { input: page, rest: stages.slice(next) };
}

/** Applies a `$skip`/`$limit` stage to the window; false for any other stage or an unusual value. */
function narrow(window: Window, stage: Document): boolean {
  const skip: unknown = stage.$skip;
  const limit: unknown = stage.$limit;
  if (typeof skip === 'number' && Number.isInteger(skip) && skip >= 0) {
    window.skip += Math.min(skip, Math.max(0, window.limit));
    window.limit = Math.max(0, window.limit - skip);
    return true;
  }
  if (typeof limit === 'number' && Number.isInteger(limit) && limit > 0) {
    window.limit = Math.min(window.limit, limit);
    return true;
  }
  return false;
}
