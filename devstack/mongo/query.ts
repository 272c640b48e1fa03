/**
 * Find-like reads over a collection, fed with candidates from the planner. Matching goes through
 * `compileMatcher` (a fast predicate for simple filters, mingo for the rest and for any document
 * it cannot decide) and sorted pages through `walkSortedPage` (an index walked in order, stopping
 * after the page) or else `sortMatches` (a top-k for scalar sort keys); mingo does every other
 * sort, and all skip/limit semantics follow mingo's cursor. Projections follow mongod
 * (projection.ts).
 *
 * A read with `$text`, a collation or a `hint` takes the general path: the planner's candidates
 * (the hinted index's, when hinted), the collated matcher, the text scores, then mingo's sort with
 * the collation (and the score for `{$meta: "textScore"}` keys).
 */
import type { Document } from './bson.js';
import { collateFilter, parseCollation, type Collation } from './collation.js';
import { QUERY_OPTIONS, compileFilter } from './mingo-options.js';
import type { Collection } from './collection.js';
import { badValue, MongoCommandError } from './errors.js';
import { compileMatcher } from './fast/filter.js';
import { countFromIndex } from './fast/index-count.js';
import { sortMatches } from './fast/sort.js';
import { walkSortedPage } from './fast/sorted-walk.js';
import { candidates, candidateSet, resolveHint, type CandidateSet, type Hint, type PlanChoice } from './planner.js';
import { projectDocs, type TextScores } from './projection.js';
import { splitText, textSearch } from './text.js';
import { isPlainObject } from './values.js';
import { Query } from 'mingo/query';
import type { CollationSpec, Options } from 'mingo/types';

/** Options of a find-like read. */
export interface FindOptions extends ReadOptions {
  filter?: unknown;
  sort?: unknown;
  skip?: unknown;
  limit?: unknown;
  projection?: unknown;
}

/** What a read may carry besides its filter. */
export interface ReadOptions {
  hint?: unknown;
  collation?: unknown;
}

/** How a read found its documents (for `explain`). */
export interface ReadTrace {
  plan?: PlanChoice | { readonly stage: 'TEXT'; readonly spec: Document };
  /** Set when the page was read by walking this index in order (no sort stage). */
  walked?: Document;
  /** Set when the documents were sorted in memory. */
  sorted?: boolean;
  docsExamined?: number;
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

/** A read's filter taken apart: what the planner sees, the matcher, and the `$text`/collation/hint parts. */
interface Prepared {
  /** The filter without `$text` (what the planner reads pins from). */
  readonly filter: Document;
  readonly test: (doc: Document) => boolean;
  readonly text: Document | undefined;
  readonly collation: Collation | undefined;
  readonly hint: Hint | undefined;
  /** Whether the read needs the general path (text, collation or hint). */
  readonly general: boolean;
}

function prepare(coll: Collection | undefined, rawFilter: Document, options: ReadOptions): Prepared {
  // A collection created with a collation applies it to every read that names none.
  const collation = parseCollation(options.collation ?? coll?.options.collation);
  const { text, rest } = splitText(rawFilter);
  const hint = resolveHint(coll, options.hint);
  const test = compileMatcher(collation ? collateFilter(rest, collation) : rest);
  return { filter: rest, test, text, collation, hint, general: text !== undefined || collation !== undefined || hint !== undefined };
}

/** The candidates of a prepared read; with `$text`, only the matching documents, with their scores. */
function plan(coll: Collection, p: Prepared, trace?: ReadTrace): CandidateSet & { scores?: TextScores } {
  const planned = candidateSet(coll, p.filter, { hint: p.hint, collation: p.collation });
  if (trace) trace.plan = planned.plan;
  if (!p.text) {
    if (trace) trace.docsExamined = planned.size;
    return planned;
  }
  const matched: Document[] = [];
  for (const doc of planned.docs) if (p.test(doc)) matched.push(doc);
  const scores = textSearch(coll, p.text, matched);
  if (trace) {
    trace.plan = { stage: 'TEXT', spec: coll.indexes.find((i) => Object.values(i.spec.key).includes('text'))?.spec ?? {} };
    trace.docsExamined = planned.size;
  }
  return { docs: scores.keys(), size: scores.size, scores };
}

/** Runs a find over a collection (a missing collection has no documents). */
export function findDocs(coll: Collection | undefined, options: FindOptions, trace?: ReadTrace): Document[] {
  const filter = asFilter(options.filter);
  const projection = options.projection === undefined || options.projection === null ? {} : asFilter(options.projection, 'projection');
  const sort = options.sort === undefined || options.sort === null ? {} : asFilter(options.sort, 'sort');
  const skip = asCount(options.skip, 'skip');
  if (skip < 0) throw badValue('Skip value must be non-negative');
  const limit = Math.abs(asCount(options.limit, 'limit'));
  const p = prepare(coll, filter, options);
  if (!coll) {
    if (p.text) throw textIndexMissing();
    return [];
  }
  // A `{$meta}` sort key is only valid with $text; sortDocs reports it.
  if (p.general || Object.values(sort).some(isPlainObject)) {
    const page = generalPage(coll, p, sort, skip, limit, trace);
    return projectDocs(page.docs, projection, page.scores, filter);
  }
  const test = p.test;
  let page: Document[];
  if (Object.keys(sort).length) {
    const planned = candidateSet(coll, filter);
    if (trace) {
      trace.plan = planned.plan;
      trace.docsExamined = planned.size;
    }
    // The walk gives up after testing as many documents as the planner offers: then sorting those is cheaper.
    const walked = walkSortedPage(coll, filter, sort, skip, limit, test, planned.size, (spec) => {
      if (trace) trace.walked = spec;
    });
    if (walked) page = walked;
    else {
      if (trace) {
        trace.walked = undefined;
        trace.sorted = true;
      }
      const sorted = sortMatches(planned.docs, test, sort, skip, limit);
      page = 'page' in sorted ? sorted.page : mingoSortPage(sorted.matched, sort, skip, limit);
    }
  } else {
    const planned = candidateSet(coll, filter);
    if (trace) {
      trace.plan = planned.plan;
      trace.docsExamined = planned.size;
    }
    page = [];
    let skipped = 0;
    for (const doc of planned.docs) {
      if (!test(doc)) continue;
      if (skipped < skip) skipped++;
      else if (page.push(doc) === limit) break;
    }
  }
  return projectDocs(page, projection, undefined, filter);
}

function textIndexMissing(): MongoCommandError {
  return new MongoCommandError('IndexNotFound', 'text index required for $text query');
}

/** A page for reads with `$text`, a collation or a hint. */
function generalPage(
  coll: Collection,
  p: Prepared,
  rawSort: Document,
  skip: number,
  limit: number,
  trace?: ReadTrace,
): { docs: Document[]; scores?: TextScores } {
  const planned = plan(coll, p, trace);
  const matched: Document[] = [];
  for (const doc of planned.docs) if (p.test(doc)) matched.push(doc);
  let sort = rawSort;
  // Without a sort, a hinted index returns its documents in index order, as mongod's index scan does.
  if (Object.keys(sort).length === 0 && p.hint && 'spec' in p.hint) {
    const key = p.hint.spec.key;
    if (Object.values(key).every((d) => d === 1 || d === -1)) sort = key;
  }
  if (Object.keys(sort).length === 0) {
    const window = matched.slice(skip, limit ? skip + limit : undefined);
    return { docs: window, scores: planned.scores };
  }
  if (trace) trace.sorted = true;
  return { docs: sortDocs(matched, sort, skip, limit, p.collation, planned.scores), scores: planned.scores };
}

/** Sorts with mingo (under the collation), `{$meta: "textScore"}` keys by descending score. */
function sortDocs(docs: Document[], sort: Document, skip: number, limit: number, collation?: Collation, scores?: TextScores): Document[] {
  const metaKeys = Object.entries(sort).filter(([, dir]) => isPlainObject(dir));
  for (const [, dir] of metaKeys) {
    if ((dir as Document).$meta !== 'textScore') throw badValue(`Illegal $meta sort: ${JSON.stringify(dir)}`);
    if (!scores) throw new MongoCommandError('Location40218', 'query requires text score metadata, but it is not available');
  }
  const options = collation ? ({ ...(QUERY_OPTIONS as unknown as { options: Options }).options, collation: collation as CollationSpec } as Partial<Options>) : QUERY_OPTIONS;
  if (metaKeys.length === 0) {
    const cursor = new Query({}, options).find<Document>(docs).sort(sort);
    if (skip) cursor.skip(skip);
    if (limit) cursor.limit(limit);
    return cursor.all();
  }
  // Sort wrappers {d: document, s: score} so the score can be a sort key without touching the documents.
  const wrapped = docs.map((d) => ({ d, s: scores?.get(d) ?? 0 }));
  const spec: Document = {};
  for (const [key, dir] of Object.entries(sort)) spec[isPlainObject(dir) ? 's' : `d.${key}`] = isPlainObject(dir) ? -1 : dir;
  const cursor = new Query({}, options).find<{ d: Document; s: number }>(wrapped).sort(spec);
  if (skip) cursor.skip(skip);
  if (limit) cursor.limit(limit);
  return cursor.all().map((w) => w.d);
}

/** mingo's cursor order for sorts the fast path leaves alone (applied to already matched documents). */
function mingoSortPage(matched: Document[], sort: Document, skip: number, limit: number): Document[] {
  const cursor = compileFilter({}).find<Document>(matched).sort(sort);
  if (skip) cursor.skip(skip);
  if (limit) cursor.limit(limit);
  return cursor.all();
}

/** All stored documents matching `filter` (unprojected, natural order unless hinted). */
export function matchAll(coll: Collection, filter: Document, options: ReadOptions = {}): Document[] {
  const p = prepare(coll, filter, options);
  const out: Document[] = [];
  const docs = p.general ? plan(coll, p).docs : candidates(coll, p.filter);
  for (const doc of docs) if (p.test(doc)) out.push(doc);
  return out;
}

/**
 * The stored documents matching `filter` under a read's options, with their `$text` scores when the
 * filter has `$text` (for an aggregation's leading `$match`).
 */
export function matchWithScores(coll: Collection, filter: Document, options: ReadOptions = {}): { docs: Document[]; scores?: TextScores } {
  const p = prepare(coll, filter, options);
  const planned: CandidateSet & { scores?: TextScores } = p.general ? plan(coll, p) : candidateSet(coll, p.filter);
  const docs: Document[] = [];
  for (const doc of planned.docs) if (p.test(doc)) docs.push(doc);
  return { docs, scores: planned.scores };
}

/** How many stored documents match `filter`: from index sizes when they know, else by matching. */
export function countMatches(coll: Collection, filter: Document, options: ReadOptions = {}, trace?: ReadTrace): number {
  const p = prepare(coll, filter, options);
  if (p.general || trace) {
    let n = 0;
    for (const doc of plan(coll, p, trace).docs) if (p.test(doc)) n++;
    return n;
  }
  const exact = countFromIndex(coll, filter);
  if (exact !== undefined) return exact;
  if (Object.keys(filter).length === 0) return coll.docs.size;
  let n = 0;
  for (const doc of candidates(coll, filter)) if (p.test(doc)) n++;
  return n;
}

/** The first stored document matching `filter` in `sort` order (or natural order). */
export function firstMatch(coll: Collection | undefined, filter: Document, sort?: unknown, options: ReadOptions = {}): Document | undefined {
  if (!coll) return undefined;
  const sorted = sort !== undefined && sort !== null && Object.keys(asFilter(sort, 'sort')).length > 0;
  const collated = options.collation !== undefined || coll.options.collation !== undefined;
  if (sorted || collated || options.hint !== undefined || '$text' in filter) {
    return findDocs(coll, { filter, sort, limit: 1, ...options })[0];
  }
  const test = compileMatcher(filter);
  for (const doc of candidates(coll, filter)) if (test(doc)) return doc;
  return undefined;
}

/** Applies a find-style projection to one document (`fields` of findAndModify). */
export function project(doc: Document, projection: unknown, filter: Document = {}): Document {
  if (projection === undefined || projection === null) return doc;
  const spec = asFilter(projection, 'fields');
  if (Object.keys(spec).length === 0) return doc;
  return projectDocs([doc], spec, undefined, filter)[0] ?? doc;
}
