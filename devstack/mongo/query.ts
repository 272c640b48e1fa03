/**
 * Thin layer over mingo: every match, sort, skip/limit and projection goes through it, fed with
 * candidates from the planner. Nothing here interprets query operators itself.
 */
import type { Document } from './bson.js';
import { compileFilter } from './mingo-options.js';
import type { Collection } from './collection.js';
import { badValue } from './errors.js';
import { candidates } from './planner.js';
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
  const cursor = compileFilter(filter).find<Document>(candidates(coll, filter), projection);
  if (options.sort !== undefined && options.sort !== null) {
    const sort = asFilter(options.sort, 'sort');
    if (Object.keys(sort).length) cursor.sort(sort);
  }
  const skip = asCount(options.skip, 'skip');
  if (skip < 0) throw badValue('Skip value must be non-negative');
  if (skip) cursor.skip(skip);
  const limit = Math.abs(asCount(options.limit, 'limit'));
  if (limit) cursor.limit(limit);
  return cursor.all();
}

/** All stored documents matching `filter` (unprojected, natural order). */
export function matchAll(coll: Collection, filter: Document): Document[] {
  const query = compileFilter(filter);
  const out: Document[] = [];
  for (const doc of candidates(coll, filter)) if (query.test(doc)) out.push(doc);
  return out;
}

/** The first stored document matching `filter` in `sort` order (or natural order). */
export function firstMatch(coll: Collection | undefined, filter: Document, sort?: unknown): Document | undefined {
  if (!coll) return undefined;
  if (sort !== undefined && sort !== null && Object.keys(asFilter(sort, 'sort')).length) {
    return findDocs(coll, { filter, sort, limit: 1 })[0];
  }
  const query = compileFilter(filter);
  for (const doc of candidates(coll, filter)) if (query.test(doc)) return doc;
  return undefined;
}

/** Applies a find-style projection to one document (`fields` of findAndModify). */
export function project(doc: Document, projection: unknown): Document {
  if (projection === undefined || projection === null) return doc;
  const spec = asFilter(projection, 'fields');
  if (Object.keys(spec).length === 0) return doc;
  return compileFilter({}).find<Document>([doc], spec).all()[0] ?? doc;
}
