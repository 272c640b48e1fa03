/**
 * The scalar view of a document that every fast path works on. mingo gives arrays (element
 * matching, path traversal into arrays) and embedded documents (whole-value equality, key-order
 * comparisons) rules that are easy to get subtly wrong, so the fast paths only decide on plain
 * scalars and report everything else as COMPLEX, which makes the caller defer to mingo.
 */
import { ObjectId, type Document } from '../bson.js';

/** "Not a plain scalar here": the value (or a step of the path to it) needs mingo's rules. */
export const COMPLEX: unique symbol = Symbol('complex');

/** A scalar as the fast paths see it: missing, null, string, number, boolean, Date or ObjectId. */
export type Scalar = undefined | null | string | number | boolean | Date | ObjectId;

/**
 * Reads one dotted path of a stored document: the value when the path runs through embedded
 * documents only and ends on a {@link Scalar}; undefined for missing fields (and for paths
 * through null or primitives), as in mingo; COMPLEX for arrays anywhere and any other value.
 */
export type PathReader = (doc: Document) => Scalar | typeof COMPLEX;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Compiles a dotted field path; undefined when mingo would treat it specially (an empty
 * segment, `__proto__`, which mingo refuses, or a leading `$`).
 */
export function pathReader(path: string): PathReader | undefined {
  if (path.startsWith('$')) return undefined;
  const parts = path.split('.');
  if (!parts.every((p) => p !== '' && p !== '__proto__')) return undefined;
  const first = parts[0] as string;
  // Like mingo, only own fields count; names Object.prototype also has need the slower check.
  if (parts.length === 1 && !(first in Object.prototype)) {
    return (doc) => {
      const value: unknown = doc[first];
      return isScalar(value) ? value : COMPLEX;
    };
  }
  return (doc) => scalarAt(doc, parts);
}

/** Whether `value` is one of the scalar kinds the fast paths handle (see {@link Scalar}). */
function isScalar(value: unknown): value is Scalar {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      return value instanceof Date || value instanceof ObjectId;
    default:
      return false;
  }
}

function scalarAt(doc: Document, parts: readonly string[]): Scalar | typeof COMPLEX {
  let value: unknown = doc;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!isEmbedded(value)) return COMPLEX;
    value = hasOwn.call(value, part) ? (value as Document)[part] : undefined;
  }
  return isScalar(value) ? value : COMPLEX;
}

function isEmbedded(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
