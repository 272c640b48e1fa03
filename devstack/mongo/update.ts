/**
 * Update semantics shared by `update` and `findAndModify`: operator updates and pipeline updates
 * are executed by mingo on a private copy; replacement documents, `$setOnInsert`, upsert seeding
 * and the immutable `_id` rule are mongod behaviours mingo does not model, so they live here;
 * `_id` assignments, positional paths, path conflicts and document-style `$pull` conditions are
 * resolved first by update-paths.ts, so mingo only ever applies concrete paths.
 */
import type { Document } from './bson.js';
import { updateOne as mingoUpdateOne } from 'mingo';
import { update as mingoUpdate } from 'mingo/updater';
import { setValue } from 'mingo/util';
import { withIdFirst } from './collection.js';
import { UPDATE_QUERY_OPTIONS } from './mingo-options.js';
import { assertArrayTargets, assertNumericTargets, assertPathsViable } from './update-checks.js';
import { applyDocumentPulls, applyIdAssignment, assertNoConflicts, resolvePositionalPaths } from './update-paths.js';
import { badValue, MongoCommandError } from './errors.js';
import { cloneDoc, encodeKey, formatValue, isPlainObject } from './values.js';

/** What an update statement carries besides the filter. */
export interface UpdateInput {
  readonly filter: Document;
  readonly update: unknown;
  readonly arrayFilters?: unknown;
}

/** True for `{$set: …}`-style updates, false for replacement documents. */
export function isOperatorUpdate(update: Document): boolean {
  const keys = Object.keys(update);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

/** Validates the `u`/`update` argument's shape (document or pipeline array). */
export function assertUpdateShape(update: unknown): asserts update is Document | Document[] {
  if (Array.isArray(update)) {
    if (!update.every(isPlainObject)) throw badValue('Each element of the update pipeline must be an object');
    return;
  }
  if (!isPlainObject(update)) throw badValue(`BSON field 'update' is the wrong type, expected type 'object'`);
  const keys = Object.keys(update);
  if (keys.some((k) => k.startsWith('$')) && !isOperatorUpdate(update)) {
    const plain = keys.find((k) => !k.startsWith('$'));
    throw new MongoCommandError(
      'FailedToParse',
      `Unknown modifier: ${plain}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
}

/** The updated copy of `doc`; the stored original is left untouched. */
export function applyUpdate(doc: Document, input: UpdateInput): Document {
  assertUpdateShape(input.update);
  let next: Document;
  if (Array.isArray(input.update)) next = runPipeline(doc, input.update);
  else if (isOperatorUpdate(input.update)) next = runOperators(doc, input, false);
  else {
    const replacement = cloneDoc(input.update);
    if (replacement._id !== undefined && encodeKey(replacement._id) !== encodeKey(doc._id)) {
      throw new MongoCommandError(
        'ImmutableField',
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(replacement._id)}`,
      );
    }
    next = withIdFirst({ ...replacement, _id: doc._id });
  }
  if (next._id === undefined || encodeKey(next._id) !== encodeKey(doc._id)) {
    throw new MongoCommandError('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
  return next;
}

/**
 * The document an upsert inserts: equality fields of the filter, then the update applied with
 * `$setOnInsert` honoured (replacements keep only the filter's `_id`), `_id` generated if absent.
 */
export function buildUpsertDoc(input: UpdateInput): Document {
  assertUpdateShape(input.update);
  const seed = equalityFields(input.filter);
  let doc: Document;
  if (Array.isArray(input.update)) doc = runPipeline(seed, input.update);
  else if (isOperatorUpdate(input.update)) doc = runOperators(seed, { ...input, filter: {} }, true);
  else {
    doc = cloneDoc(input.update);
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  }
  if (seed._id !== undefined && encodeKey(doc._id) !== encodeKey(seed._id)) {
    throw new MongoCommandError('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
  return withIdFirst(doc);
}

function runOperators(doc: Document, input: UpdateInput, inserting: boolean): Document {
  const modifier: Document = { ...(input.update as Document) };
  const onInsert: unknown = modifier.$setOnInsert;
  delete modifier.$setOnInsert;
  if (inserting && isPlainObject(onInsert)) {
    const set: Document = isPlainObject(modifier.$set) ? { ...modifier.$set } : {};
    for (const [path, value] of Object.entries(onInsert)) {
      if (path in set) {
        throw new MongoCommandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${path}'`);
      }
      set[path] = value;
    }
    modifier.$set = set;
  }
  const next = cloneDoc(doc);
  applyIdAssignment(next, modifier);
  if (Object.keys(modifier).length === 0) return next;
  // Positional paths become the concrete paths they address in the document before the update.
  let concrete = resolvePositionalPaths(next, modifier, input.filter, input.arrayFilters);
  assertNoConflicts(concrete);
  assertPathsViable(next, concrete);
  assertNumericTargets(next, concrete);
  assertArrayTargets(next, concrete);
  if (applySimpleOperators(next, concrete)) return next;
  concrete = applyDocumentPulls(next, concrete);
  if (Object.keys(concrete).length === 0) return next;
  mingoUpdate(next, concrete, undefined, undefined, { cloneMode: 'deep', queryOptions: UPDATE_QUERY_OPTIONS });
  return next;
}

function runPipeline(doc: Document, pipeline: Document[]): Document {
  const docs = [cloneDoc(doc)];
  mingoUpdateOne(docs, {}, pipeline as never, { cloneMode: 'deep' });
  return docs[0] as Document;
}

/** The fields an upsert copies from its filter: plain equalities and `$eq`, also under `$and`. */
function equalityFields(filter: Document, out: Document = {}): Document {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const branch of cond) if (isPlainObject(branch)) equalityFields(branch, out);
      continue;
    }
    if (field.startsWith('$') || cond instanceof RegExp) continue;
    if (isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) {
      if ('$eq' in cond) setValue(out, field, cloneDoc(cond.$eq));
      continue;
    }
    setValue(out, field, cloneDoc(cond));
  }
  return out;
}

/** A top-level field name that needs no path handling (no dots, not `_id`, not array-index-like). */
const SIMPLE_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIMPLE_OPERATORS = new Set(['$set', '$unset', '$inc', '$min', '$max', '$push']);

/** Both numbers or both Dates: the pairs whose BSON order is JavaScript's `<`. */
function comparable(a: unknown, b: unknown): a is number | Date {
  return (typeof a === 'number' && typeof b === 'number') || (a instanceof Date && b instanceof Date);
}

/**
 * Applies the shapes the application sends on every message ($set, $unset, $inc, $min, $max and
 * a plain $push on distinct top-level fields, between numbers or Dates) directly, in the order
 * mongod would; anything else returns false untouched and goes to mingo. mingo's updater copies
 * its operator tables on every call: most of the store's CPU under the handover bench.
 * Expects `doc` to be the private copy, already checked by the asserts of update-checks.ts.
 */
function applySimpleOperators(doc: Document, modifier: Document): boolean {
  const seen = new Set<string>();
  for (const [op, fields] of Object.entries(modifier)) {
    if (!SIMPLE_OPERATORS.has(op) || !isPlainObject(fields)) return false;
    for (const [field, value] of Object.entries(fields)) {
      if (!SIMPLE_FIELD.test(field) || field === '_id' || seen.has(field)) return false;
      seen.add(field);
      const current: unknown = doc[field];
      if (op === '$inc' && (typeof value !== 'number' || (current !== undefined && typeof current !== 'number'))) return false;
      if ((op === '$min' || op === '$max') && current !== undefined && !comparable(current, value)) return false;
      // ($push onto a non-array was already refused by assertArrayTargets.)
      if (op === '$push' && isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) return false;
    }
  }
  for (const [op, fields] of Object.entries(modifier) as [string, Document][]) {
    for (const [field, value] of Object.entries(fields)) {
      const current: unknown = doc[field];
      switch (op) {
        case '$set':
          doc[field] = cloneDoc(value);
          break;
        case '$unset':
          delete doc[field];
          break;
        case '$inc':
          doc[field] = current === undefined ? value : (current as number) + (value as number);
          break;
        case '$min':
          if (current === undefined || (value as number | Date) < (current as number | Date)) doc[field] = cloneDoc(value);
          break;
        case '$max':
          if (current === undefined || (value as number | Date) > (current as number | Date)) doc[field] = cloneDoc(value);
          break;
        case '$push':
          doc[field] = [...((current as unknown[] | undefined) ?? []), cloneDoc(value)];
          break;
      }
    }
  }
  return true;
}
