/**
 * Find-like reads over a collection, fed with candidates from the planner. Matching goes through
 * `compileMatcher` (a fast predicate for simple filters, mingo for the rest and for any document
 * it cannot decide) and sorted pages through `walkSortedPage` (an index walked in order, stopping
 * after the page) or else `sortMatches` (a top-k for scalar sort keys); mingo does every other
 * sort, and all skip/limit/projection semantics follow mingo's cursor.
 */
import type { Document } from './bson.js';
import { compileFilter } from './mingo-options.js';
import type { Collection } from './collection.js';
import { badValue } from './errors.js';
import { compileMatcher } from './fast/filter.js';
import { countFromIndex } from './fast/index-count.js';
import { sortMatches } from './fast/sort.js';
import { walkSortedPage } from './fast/sorted-walk.js';
import { candidates, candidateSet } from './planner.js';
import { isPlainObject } from './values.js';

/** Options of a find-like read. */
export interface FindOptions {
  filter?: unknown;
  sort?: unknown;
  skip?: unknown;
  limit?: unknown;
  projection?: unknown;
}

/** Validates a filter-ish argument (`filter`, `query`, `q`), defaulting to `{}`. */
export function asFilter(value: unknown, field = 'filter'): Document {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw badValue(`BSON field '${field}' is the wrong type, expected type 'object'`);
  return value;
}

function asCount(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  if (!Number.isFinite(n)) throw badValue(`BSON field '${field}' must be a number`);
  return Math.trunc(n);
}

/** Runs a find over a collection (a missing collection has no documents). */
export function findDocs(coll: Collection | undefined, options: FindOptions): Document[] {
  if (!coll) return [];
  const filter = asFilter(options.filter);
  const projection = options.projection === undefined || options.projection === null ? {} : asFilter(options.projection, 'projection');
  const test = compileMatcher(filter);
  const sort = options.sort === undefined || options.sort === null ? {} : asFilter(options.sort, 'sort');
  const skip = asCount(options.skip, 'skip');
  if (skip < 0) throw badValue('Skip value must be non-negative');
  const limit = Math.abs(asCount(options.limit, 'limit'));

  let page: Document[];
  if (Object.keys(sort).length) {
    const planned = candidateSet(coll, filter);
    // The walk gives up after testing as many documents as the planner offers: then sorting those is cheaper.
    const walked = walkSortedPage(coll, filter, sort, skip, limit, test, planned.size);
    if (walked) page = walked;
    else {
      const sorted = sortMatches(planned.docs, test, sort, skip, limit);
      page = 'page' in sorted ? sorted.page : mingoSortPage(sorted.matched, sort, skip, limit);
    }
  } else {
    page = [];
    let skipped = 0;
    for (const doc of candidates(coll, filter)) {
      if (!test(doc)) continue;
      if (skipped < skip) skipped++;
      else if (page.push(doc) === limit) break;
    }
  }
  return Object.keys(projection).length ? compileFilter({}).find<Document>(page, projection).all() : page;
}

/** mingo's cursor order for sorts the fast path leaves alone (applied to already matched documents). */
function mingoSortPage(matched: Document[], sort: Document, skip: number, limit: number): Document[] {
  const cursor = compileFilter({}).find<Document>(matched).sort(sort);
  if (skip) cursor.skip(skip);
  if (limit) cursor.limit(limit);
  return cursor.all();
}

function matchIn(coll: Collection, filter: Document, test: (doc: Document) => boolean): Document[] {
  const out: Document[] = [];
  for (const doc of candidates(coll, filter)) if (test(doc)) out.push(doc);
  return out;
}

/** All stored documents matching `filter` (unprojected, natural order). */
export function matchAll(coll: Collection, filter: Document): Document[] {
  return matchIn(coll, filter, compileMatcher(filter));
}

/** How many stored documents match `filter`: from index sizes when they know, else by matching. */
export function countMatches(coll: Collection, filter: Document): number {
  const test = compileMatcher(filter);
  const exact = countFromIndex(coll, filter);
  if (exact !== undefined) return exact;
  if (Object.keys(filter).length === 0) return coll.docs.size;
  let n = 0;
  for (const doc of candidates(coll, filter)) if (test(doc)) n++;
  return n;
}

/** The first stored document matching `filter` in `sort` order (or natural order). */
export function firstMatch(coll: Collection | undefined, filter: Document, sort?: unknown): Document | undefined {
  if (!coll) return undefined;
  if (sort !== undefined && sort !== null && Object.keys(asFilter(sort, 'sort')).length) {
    return findDocs(coll, { filter, sort, limit: 1 })[0];
  }
  const test = compileMatcher(filter);
  for (const doc of candidates(coll, filter)) if (test(doc)) return doc;
  return undefined;
}

/** Applies a find-style projection to one document (`fields` of findAndModify). */
export function project(doc: Document, projection: unknown): Document {
  if (projection === undefined || projection === null) return doc;
  const spec = asFilter(projection, 'fields');
  if (Object.keys(spec).length === 0) return doc;
  return compileFilter({}).find<Document>([doc], spec).all()[0] ?? doc;
}
