/**
 * mongod rejects some updates that mingo would silently skip; these checks run first so such
 * updates fail with mongod's error instead of quietly doing nothing.
 */
import type { Document } from './bson.js';
import { badValue, MongoCommandError } from './errors.js';
import { formatValue, isPlainObject } from './values.js';

/** Operators that create the fields they name. */
const CREATING_OPERATORS = ['$set', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate'];

/**
 * A path cannot be created through a scalar: `{a: 5}` + `$set: {"a.b": 1}` is PathNotViable (28)
 * on mongod. Positional paths (`$`, `$[]`, `$[id]`) are left to mingo.
 */
export function assertPathsViable(doc: Document, modifier: Document): void {
  for (const op of CREATING_OPERATORS) {
    const paths: unknown = modifier[op];
    if (!isPlainObject(paths)) continue;
    for (const path of Object.keys(paths)) if (!path.includes('$')) assertViable(doc, path);
  }
  if (isPlainObject(modifier.$rename)) {
    for (const target of Object.values(modifier.$rename)) if (typeof target === 'string') assertViable(doc, target);
  }
}

function assertViable(doc: Document, path: string): void {
  const parts = path.split('.');
  let value: unknown = doc;
  let field = '';
  for (const part of parts) {
    if (value === undefined) return;
    if (isPlainObject(value)) value = value[part];
    else if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
    else throw new MongoCommandError('PathNotViable', `Cannot create field '${part}' in element {${field}: ${formatValue(value)}}`);
    field = part;
  }
}

/** Numeric BSON values as they appear in memory (promoted numbers, large Longs, Decimal128). */
function isNumeric(value: unknown): boolean {
  const tag = (value as { _bsontype?: string } | null)?._bsontype;
  return typeof value === 'number' || tag === 'Long' || tag === 'Decimal128' || tag === 'Int32' || tag === 'Double';
}

/**
 * mongod rejects `$inc`/`$mul` on a non-numeric field (TypeMismatch); mingo would silently skip
 * it, so plain (non-positional, non-array) paths are checked here first.
 */
export function assertNumericTargets(doc: Document, modifier: Document): void {
  for (const op of ['$inc', '$mul']) {
    const paths: unknown = modifier[op];
    if (!isPlainObject(paths)) continue;
    for (const [path, amount] of Object.entries(paths)) {
      if (!isNumeric(amount)) {
        throw new MongoCommandError('TypeMismatch', `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${formatValue(amount)}}`);
      }
      let value: unknown = doc;
      for (const part of path.split('.')) value = isPlainObject(value) ? value[part] : undefined;
      if (value !== undefined && !isNumeric(value)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${path}' of non-numeric type ${typeName(value)}`,
        );
      }
    }
  }
}

/**
 * mongod rejects `$push` onto a present field that is not an array (BadValue); mingo silently
 * skips it. Plain (non-positional) paths are checked here first.
 */
export function assertArrayTargets(doc: Document, modifier: Document): void {
  const paths: unknown = modifier.$push;
  if (!isPlainObject(paths)) return;
  for (const path of Object.keys(paths)) {
    let value: unknown = doc;
    for (const part of path.split('.')) value = isPlainObject(value) ? value[part] : undefined;
    if (value !== undefined && !Array.isArray(value)) {
      throw badValue(`The field '${path}' must be an array but is of type ${typeName(value)} in document {_id: ${formatValue(doc._id)}}`);
    }
  }
}

/** mongod's name for a value's BSON type, as its error messages print it. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int' : 'double';
  if (typeof value === 'object') return isPlainObject(value) ? 'object' : ((value as { _bsontype?: string })._bsontype ?? 'object').toLowerCase();
  return typeof value;
}

