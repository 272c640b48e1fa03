/**
 * Value helpers shared by the store: canonical key encoding (what makes two values "the same
 * key" in an index), deep copies, dotted-path extraction and mongod-style value printing.
 */
import type { Binary, Document, ObjectId } from './bson.js';

type BsonTagged = { _bsontype?: string; toString(): string };

/** True for `{}`-style objects (BSON embedded documents), false for arrays, Dates and BSON classes. */
export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Canonical string for a BSON value such that equal encodings mean "equal as index keys":
 * numbers of any BSON width compare by value, ObjectIds by hex, Dates by millis, embedded
 * documents field-order-sensitively (as BSON equality is).
 */
export function encodeKey(value: unknown): string {
  if (value === null || value === undefined) return 'n';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isNaN(value) ? 'dNaN' : `d${value === 0 ? 0 : value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return `d${value}`;
    case 'object':
      break;
    default:
      return `?${String(value)}`;
  }
  if (value instanceof Date) return `t${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(encodeKey).join(',')}]`;
  if (value instanceof RegExp) return `r${JSON.stringify(`${value.source}/${value.flags}`)}`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${encodeKey(value[k])}`)
      .join(',')}}`;
  }
  const tagged = value as BsonTagged;
  switch (tagged._bsontype) {
    case 'ObjectId':
      return `o${(value as ObjectId).toHexString()}`;
    case 'Long':
    case 'Int32':
    case 'Double':
      return `d${tagged.toString()}`;
    case 'Binary':
      return `x${(value as Binary).sub_type}:${(value as Binary).toString('base64')}`;
    default:
      return `${tagged._bsontype ?? 'obj'}:${JSON.stringify(tagged.toString())}`;
  }
}

/**
 * Deep copy of a document. BSON value classes (ObjectId, Long, Binary, ...) are never mutated
 * by the store, so they are shared; containers and Dates are copied.
 */
export function cloneDoc<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (!isPlainObject(value)) return value;
  const source: Document = value;
  const out: Document = {};
  for (const key of Object.keys(source)) {
    // Assigning "__proto__" would set the prototype instead of creating a field.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: cloneDoc(source[key]), enumerable: true, writable: true, configurable: true });
    } else out[key] = cloneDoc(source[key]);
  }
  return out as T;
}

/** Marker for an empty array at an indexed path (mongod indexes it distinctly from null). */
export const EMPTY_ARRAY: unique symbol = Symbol('emptyArray');

/**
 * All values an index (or `distinct`) sees at a dotted path, expanding arrays the way mongod's
 * multikey indexes do. A missing field yields `undefined`.
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (!Array.isArray(value)) out.push(value);
    else if (value.length === 0) out.push(EMPTY_ARRAY);
    else out.push(...value);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, i + 1, out);
    else if (value.length === 0) out.push(undefined);
    else for (const item of value) collect(item, parts, i, out);
    return;
  }
  if (isPlainObject(value)) collect(value[part], parts, i + 1, out);
  else out.push(undefined);
}

/** Whether a query value can be served from an index by exact key lookup. */
export function isPointValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !Number.isNaN(value);
    case 'object': {
      if (value instanceof Date) return true;
      const tag = (value as BsonTagged | null)?._bsontype;
      return tag === 'ObjectId' || tag === 'Long' || tag === 'Int32' || tag === 'Double';
    }
    default:
      return false;
  }
}

/** Prints a value the way mongod's error messages do (`"str"`, `ObjectId('…')`, `new Date(…)`). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === EMPTY_ARRAY) return value === EMPTY_ARRAY ? '[]' : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isPlainObject(value)) {
    const inner = Object.entries(value).map(([k, v]) => `${k}: ${formatValue(v)}`);
    return inner.length ? `{ ${inner.join(', ')} }` : '{}';
  }
  const tagged = value as BsonTagged;
  if (tagged._bsontype === 'ObjectId') return `ObjectId('${tagged.toString()}')`;
  return tagged.toString();
}
