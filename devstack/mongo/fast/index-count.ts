/**
 * Counts answered from index bucket sizes, without touching a document: `countDocuments({org_id})`
 * over 90,000 leads is a hash lookup. Only filters that are nothing but exact equality pins
 * (`{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`) qualify, and only on an index that reports its
 * buckets exact (see `SecondaryIndex.exactCount`); everything else is counted by matching.
 */
import { ObjectId, type Document } from '../bson.js';
import type { Collection } from '../collection.js';
import { isPlainObject } from '../values.js';
import { pathReader } from './scalar.js';

/** The number of documents matching `filter`, when an index knows it exactly. */
export function countFromIndex(coll: Collection, filter: Document): number | undefined {
  const pins = exactPins(filter);
  if (!pins) return undefined;
  for (const index of coll.indexes) {
    const n = index.exactCount(pins);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Per field, the values an all-equality filter allows; undefined when the filter is anything else. */
function exactPins(filter: Document): Map<string, unknown[]> | undefined {
  const pins = new Map<string, unknown[]>();
  for (const [field, cond] of Object.entries(filter)) {
    if (!pathReader(field)) return undefined;
    const values = pinnedValues(cond);
    if (!values) return undefined;
    pins.set(field, values);
  }
  return pins.size ? pins : undefined;
}

function pinnedValues(cond: unknown): unknown[] | undefined {
  if (isExactPoint(cond)) return [cond];
  if (!isPlainObject(cond) || Object.keys(cond).length !== 1) return undefined;
  if ('$eq' in cond) return isExactPoint(cond.$eq) ? [cond.$eq] : undefined;
  const list: unknown = cond.$in;
  return Array.isArray(list) && list.length > 0 && list.every(isExactPoint) ? list : undefined;
}

/** Query values whose index key encoding is equal exactly when mingo's equality holds. */
export function isExactPoint(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !Number.isNaN(value);
    case 'object':
      return (value instanceof Date && !Number.isNaN(value.getTime())) || value instanceof ObjectId;
    default:
      return false;
  }
}
