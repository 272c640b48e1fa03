/**
 * Sort keys of the ordered index views (ordered.ts): each indexed value as a (type rank,
 * comparable value) pair, so that comparing two documents' positions needs no type dispatch.
 */
import { ObjectId } from '../bson.js';
import type { Scalar } from './scalar.js';

/**
 * mingo's `$sort` order across types (compare() in mingo's util; `$sort` groups missing with
 * null): null/missing < numbers < strings < booleans < dates < ObjectIds (an unknown type, last).
 */
const RANK_NULL = 0;
const RANK_NUMBER = 1;
const RANK_STRING = 2;
const RANK_BOOLEAN = 3;
const RANK_DATE = 4;
const RANK_OBJECT_ID = 5;

/** A sort key: pairs of (type rank, comparable value) per field, flattened. */
export type SortKey = Array<number | string>;

/**
 * Appends the sort key of one scalar to `key`; false when mingo's order for it is not a
 * consistent one (NaN compares equal to every number, an invalid date to every date).
 */
export function pushSortKey(key: SortKey, value: Scalar): boolean {
  if (value === null || value === undefined) {
    key.push(RANK_NULL, 0);
    return true;
  }
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return false;
      key.push(RANK_NUMBER, value);
      return true;
    case 'string':
      key.push(RANK_STRING, value);
      return true;
    case 'boolean':
      key.push(RANK_BOOLEAN, value ? 1 : 0);
      return true;
    default:
      break;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return false;
    key.push(RANK_DATE, time);
    return true;
  }
  if (value instanceof ObjectId) {
    key.push(RANK_OBJECT_ID, value.toHexString());
    return true;
  }
  return false;
}

/**
 * Compares the first `fields` fields of two sort keys, each in its direction. Within a rank the
 * values are all numbers or all strings, compared with `<` as mingo does (UTF-16 code units for
 * strings; -0 equals 0).
 */
export function compareKeys(a: SortKey, b: SortKey, directions: readonly number[], fields: number): number {
  for (let i = 0; i < fields; i++) {
    const j = 2 * i;
    const ra = a[j] as number;
    const rb = b[j] as number;
    if (ra !== rb) return ra < rb ? -(directions[i] as number) : (directions[i] as number);
    const va = a[j + 1] as number | string;
    const vb = b[j + 1] as number | string;
    if (va !== vb) return va < vb ? -(directions[i] as number) : (directions[i] as number);
  }
  return 0;
}

/** Identical sort keys (Object.is: a -0 that became 0 moves the entry, keeping the stored key exact). */
export function sameSortKey(a: SortKey, b: SortKey): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
