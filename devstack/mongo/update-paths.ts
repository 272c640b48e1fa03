/**
 * Update paths as mongod resolves them, before mingo runs the operators:
 *
 * - `_id` in `$set`/`$setOnInsert`: setting it to its current value is a no-op, giving it a value
 *   on an upsert insert creates it; any other change is ImmutableField (66). mingo refuses every
 *   update that names `_id`.
 * - positional paths (`a.$.x`, `a.$[].x`, `a.$[id].x`) are expanded to the array indexes they
 *   address in the document as it was before the update (the `$` from the query's match, `$[id]`
 *   from the array filters), so that mingo only ever sees concrete paths. mingo's own conflict check
 *   treats every path through the same array as one (`a.$.x` and `a.$.y` conflict there, not on
 *   mongod); conflicts are checked here on the concrete paths instead, as mongod finds them.
 * - `$pull` with a condition made of `$and/$or/$nor/$expr` matches array elements as documents
 *   (mongod's ObjectMatcher); mingo would read it as a condition on a field named by the element.
 */
import type { Document } from './bson.js';
import { compileFilter } from './mingo-options.js';
import { badValue, MongoCommandError } from './errors.js';
import { cloneDoc, encodeKey, formatValue, isPlainObject } from './values.js';

/** Operators whose keys are paths (`$rename` maps paths to paths). */
const PATH_OPERATORS = ['$set', '$unset', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$pull', '$pullAll', '$pop', '$currentDate', '$bit'];

const immutableId = (): MongoCommandError =>
  new MongoCommandError('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);

/**
 * Takes `_id` out of `$set` (where `$setOnInsert` was merged for an insert): equal to the
 * document's `_id` it is dropped, absent from the document (upsert insert) it is assigned.
 */
export function applyIdAssignment(doc: Document, modifier: Document): void {
  const set: unknown = modifier.$set;
  if (!isPlainObject(set) || !('_id' in set)) return;
  const value: unknown = set._id;
  if (doc._id === undefined) doc._id = cloneDoc(value);
  else if (encodeKey(doc._id) !== encodeKey(value)) throw immutableId();
  const rest = { ...set };
  delete rest._id;
  if (Object.keys(rest).length) modifier.$set = rest;
  else delete modifier.$set;
}

/** An update's operators with every positional path replaced by the concrete paths it addresses. */
export function resolvePositionalPaths(doc: Document, modifier: Document, filter: Document, arrayFilters: unknown): Document {
  const filters = parseArrayFilters(arrayFilters);
  const used = new Set<string>();
  const out: Document = {};
  for (const [op, fields] of Object.entries(modifier)) {
    if (!PATH_OPERATORS.includes(op) || !isPlainObject(fields) || !Object.keys(fields).some((p) => p.includes('$'))) {
      out[op] = fields;
      continue;
    }
    const concrete: Document = {};
    for (const [path, value] of Object.entries(fields)) {
      if (!path.includes('$')) {
        concrete[path] = value;
        continue;
      }
      for (const target of expand(doc, path, filter, filters, used)) concrete[target] = value;
    }
    if (Object.keys(concrete).length) out[op] = concrete;
  }
  for (const id of filters.keys()) {
    if (!used.has(id)) {
      throw new MongoCommandError('FailedToParse', `The array filter for identifier '${id}' was not used in the update ${formatValue(modifier)}`);
    }
  }
  return out;
}

/** Array filters by identifier (each filter document names exactly one). */
function parseArrayFilters(arrayFilters: unknown): Map<string, Document> {
  const out = new Map<string, Document>();
  if (!Array.isArray(arrayFilters)) return out;
  for (const filter of arrayFilters) {
    if (!isPlainObject(filter)) throw badValue('Each array filter must be an object');
    const ids = new Set(Object.keys(filter).filter((k) => !k.startsWith('$')).map((k) => k.split('.')[0] as string));
    if (ids.size !== 1) throw new MongoCommandError('FailedToParse', 'Each array filter must use a single top-level field name');
    const id = [...ids][0] as string;
    if (out.has(id)) throw new MongoCommandError('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    out.set(id, filter);
  }
  return out;
}

function expand(doc: Document, path: string, filter: Document, filters: Map<string, Document>, used: Set<string>): string[] {
  const parts = path.split('.');
  if (parts.filter((p) => p === '$').length > 1) throw badValue(`Too many positional (i.e. '$') elements found in path '${path}'`);
  const out: string[] = [];
  const walk = (value: unknown, i: number, prefix: string[]): void => {
    if (i === parts.length) {
      out.push(prefix.join('.'));
      return;
    }
    const part = parts[i] as string;
    const where = prefix.join('.');
    if (part === '$') {
      const at = positionalMatch(value, where, filter);
      walk((value as unknown[])[at], i + 1, [...prefix, String(at)]);
      return;
    }
    const all = part === '$[]';
    const id = all ? undefined : /^\$\[([a-z][A-Za-z0-9]*)\]$/.exec(part)?.[1];
    if (all || id !== undefined) {
      let test: ((element: unknown) => boolean) | undefined;
      if (id !== undefined) {
        const spec = filters.get(id);
        if (!spec) throw badValue(`No array filter found for identifier '${id}' in path '${path}'`);
        used.add(id);
        const query = compileFilter(spec);
        test = (element) => query.test({ [id]: element });
      }
      if (value === undefined) throw badValue(`The path '${where}' must exist in the document in order to apply array updates.`);
      if (!Array.isArray(value)) throw badValue(`Cannot apply array updates to non-array element ${where}: ${formatValue(value)}`);
      value.forEach((element, k) => {
        if (!test || test(element)) walk(element, i + 1, [...prefix, String(k)]);
      });
      return;
    }
    if (part.startsWith('$')) throw badValue(`The path '${path}' contains an unsupported positional element '${part}'`);
    let child: unknown;
    if (isPlainObject(value)) child = value[part];
    else if (Array.isArray(value) && /^\d+$/.test(part)) child = value[Number(part)];
    walk(child, i + 1, [...prefix, part]);
  };
  walk(doc, 0, []);
  return out;
}

/**
 * The index the positional `$` stands for: the first element of the array at `field` that
 * satisfies every query clause on that array (mongod takes it from the query's match).
 */
function positionalMatch(value: unknown, field: string, filter: Document): number {
  const at = positionalIndex(value, field, filter);
  if (at === undefined) throw badValue('The positional operator did not find the match needed from the query.');
  return at;
}

/** The index `field.$` stands for in `value` (the array at `field`) under `filter`; undefined when none. */
export function positionalIndex(value: unknown, field: string, filter: Document): number | undefined {
  const clauses = arrayClauses(filter, field);
  if (Array.isArray(value) && clauses.length) {
    const tests = clauses.map(([key, cond]) => compileFilter({ [key]: cond }));
    const matches = (element: unknown, q: (typeof tests)[number]): boolean => q.test({ [field]: [element] });
    const at = value.findIndex((element) => tests.every((q) => matches(element, q)));
    if (at >= 0) return at;
    // Clauses matched by different elements: mongod reports the element of the last clause it evaluated.
    for (const q of [...tests].reverse()) {
      const found = value.findIndex((element) => matches(element, q));
      if (found >= 0) return found;
    }
  }
  return undefined;
}

function arrayClauses(filter: Document, field: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const branch of cond) if (isPlainObject(branch)) out.push(...arrayClauses(branch, field));
    } else if (key === field || key.startsWith(`${field}.`)) out.push([key, cond]);
  }
  return out;
}

/**
 * mongod's conflict rule on concrete paths: no path may equal another or lie inside it
 * (`$rename` counts both its source and its target).
 */
export function assertNoConflicts(modifier: Document): void {
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    paths.push(...Object.keys(fields));
    if (op === '$rename') for (const target of Object.values(fields)) if (typeof target === 'string') paths.push(target);
  }
  const seen = new Set<string>();
  for (const path of paths.sort((a, b) => a.length - b.length)) {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (seen.has(prefix)) {
        throw new MongoCommandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${prefix}'`);
      }
    }
    seen.add(path);
  }
}

/** Top-level operators that make a `$pull` condition a query on the elements as documents. */
const DOCUMENT_CONDITION = new Set(['$and', '$or', '$nor', '$expr', '$comment']);

/**
 * Applies the `$pull` entries whose condition starts with `$and/$or/$nor/$expr` (elements that are
 * documents and match it are removed) and returns the modifier without them.
 */
export function applyDocumentPulls(doc: Document, modifier: Document): Document {
  const pull: unknown = modifier.$pull;
  if (!isPlainObject(pull)) return modifier;
  const rest: Document = {};
  let handled = false;
  for (const [path, cond] of Object.entries(pull)) {
    const first = isPlainObject(cond) ? Object.keys(cond)[0] : undefined;
    if (first === undefined || !DOCUMENT_CONDITION.has(first)) {
      rest[path] = cond;
      continue;
    }
    handled = true;
    const query = compileFilter(cond as Document);
    const parts = path.split('.');
    let container: unknown = doc;
    for (const part of parts.slice(0, -1)) {
      container = isPlainObject(container) ? container[part] : Array.isArray(container) && /^\d+$/.test(part) ? container[Number(part)] : undefined;
    }
    const last = parts.at(-1) as string;
    const index = /^\d+$/.test(last) ? Number(last) : -1;
    const current: unknown = isPlainObject(container) ? container[last] : Array.isArray(container) && index >= 0 ? (container[index] as unknown) : undefined;
    if (current === undefined) continue;
    if (!Array.isArray(current)) throw badValue('Cannot apply $pull to a non-array value');
    const kept = current.filter((element) => !(isPlainObject(element) && query.test(element)));
    if (kept.length === current.length) continue;
    if (Array.isArray(container)) container[index] = kept;
    else (container as Document)[last] = kept;
  }
  if (!handled) return modifier;
  const out: Document = { ...modifier };
  if (Object.keys(rest).length) out.$pull = rest;
  else delete out.$pull;
  return out;
}
