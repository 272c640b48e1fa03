/**
 * Find projections with mongod's semantics for the array operators and `$meta`, which mingo
 * handles differently: `{a: {$slice: n}}` alone keeps every other field (mingo made it an inclusion)
 * and combines with exclusions; `{a: {$elemMatch: {$gt: 5}}}` takes operators on scalar elements
 * (mingo ran them as a top-level query) and, alone, projects like an inclusion; `{"a.$": 1}` keeps
 * the element the query matched (mingo, which never sees the query here, gave `[null]`);
 * `{s: {$meta: "textScore"}}` adds the `$text` score. Plain inclusions, exclusions and expressions
 * go to mingo as before.
 */
import type { Document } from './bson.js';
import { badValue, MongoCommandError } from './errors.js';
import { compileFilter } from './mingo-options.js';
import { positionalIndex } from './update-paths.js';
import { cloneDoc, isPlainObject } from './values.js';

/** Scores of the documents a `$text` query matched. */
export type TextScores = ReadonlyMap<Document, number>;

type Special =
  | { kind: 'slice'; path: string; skip: number | undefined; limit: number }
  | { kind: 'positional'; path: string }
  | { kind: 'elemMatch'; field: string; test: (element: unknown) => boolean }
  | { kind: 'meta'; field: string };

function isExclusion(value: unknown): boolean {
  return value === 0 || value === false;
}

/** Parses a projection into mingo's part and the operators handled here. */
function parse(spec: Document): { rest: Document; specials: Special[]; inclusion: boolean } {
  const rest: Document = {};
  const specials: Special[] = [];
  for (const [path, value] of Object.entries(spec)) {
    const op = isPlainObject(value) ? Object.keys(value)[0] : undefined;
    if (op === '$slice' && isPlainObject(value)) specials.push(parseSlice(path, value.$slice));
    else if (op === '$elemMatch' && isPlainObject(value)) {
      if (path.includes('.')) throw new MongoCommandError('BadValue', 'Cannot use $elemMatch projection on a nested field.');
      const cond: unknown = value.$elemMatch;
      if (!isPlainObject(cond)) throw badValue('elemMatch: Invalid argument, object required.');
      const query = compileFilter({ v: { $elemMatch: cond } });
      specials.push({ kind: 'elemMatch', field: path, test: (element) => query.test({ v: [element] }) });
    } else if (op === '$meta' && isPlainObject(value)) {
      if (value.$meta !== 'textScore') throw badValue(`Unsupported $meta in projection: ${String(value.$meta)}`);
      specials.push({ kind: 'meta', field: path });
    } else if (path.endsWith('.$') && !isExclusion(value)) {
      // `a.$: 1` includes `a` reduced to the element the query matched.
      const array = path.slice(0, -2);
      specials.push({ kind: 'positional', path: array });
      rest[array] = 1;
    } else rest[path] = value;
  }
  const others = Object.entries(rest).filter(([path]) => path !== '_id');
  const excluding = others.some(([, value]) => isExclusion(value));
  const including = others.some(([, value]) => !isExclusion(value));
  // $elemMatch alone projects like an inclusion ({_id, field}); $slice and $meta alone keep every field.
  const inclusion = including || (!excluding && specials.some((s) => s.kind === 'elemMatch'));
  if (inclusion) for (const s of specials) if (s.kind === 'slice') rest[s.path] = 1;
  return { rest, specials, inclusion };
}

function parseSlice(path: string, arg: unknown): Special {
  if (typeof arg === 'number') return { kind: 'slice', path, skip: undefined, limit: Math.trunc(arg) };
  if (Array.isArray(arg) && arg.length === 2 && arg.every((n) => typeof n === 'number')) {
    const [skip, limit] = arg as [number, number];
    if (limit <= 0) throw badValue(`$slice limit must be positive`);
    return { kind: 'slice', path, skip: Math.trunc(skip), limit: Math.trunc(limit) };
  }
  throw badValue('$slice only supports numbers and [skip, limit] arrays');
}

function slice(values: unknown[], skip: number | undefined, limit: number): unknown[] {
  if (skip === undefined) return limit >= 0 ? values.slice(0, limit) : values.slice(Math.max(0, values.length + limit));
  const start = skip < 0 ? Math.max(0, values.length + skip) : skip;
  return values.slice(start, start + limit);
}

/** Applies `fn` to the arrays at `parts` (through embedded documents and arrays of them). */
function atPath(value: unknown, parts: string[], fn: (values: unknown[]) => unknown[]): void {
  if (!isPlainObject(value)) {
    if (Array.isArray(value)) for (const item of value) atPath(item, parts, fn);
    return;
  }
  const [head, ...tail] = parts as [string, ...string[]];
  const child: unknown = value[head];
  if (tail.length === 0) {
    if (Array.isArray(child)) value[head] = fn(child);
    return;
  }
  atPath(child, tail, fn);
}

/** The value at a dotted path through embedded documents. */
function readPath(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) value = isPlainObject(value) ? value[part] : undefined;
  return value;
}

/** Moves a field to the end of the document (mongod adds `$elemMatch`/`$meta` fields last). */
function setLast(doc: Document, field: string, value: unknown): void {
  delete doc[field];
  doc[field] = value;
}

/** Projects a page of documents (as read from the store, never mutated) the way mongod's find does. */
export function projectDocs(docs: Document[], spec: Document, scores?: TextScores, filter: Document = {}): Document[] {
  if (Object.keys(spec).length === 0) return docs;
  const { rest, specials, inclusion } = parse(spec);
  if (specials.length === 0) return compileFilter({}).find<Document>(docs, rest).all();
  const fieldsLeft = Object.keys(rest).some((path) => path !== '_id');
  let base: Document[];
  if (fieldsLeft || (!inclusion && Object.keys(rest).length)) base = compileFilter({}).find<Document>(docs, rest).all();
  else if (inclusion) base = docs.map((doc) => (isExclusion(rest._id) || doc._id === undefined ? {} : { _id: doc._id }));
  else base = docs;
  const slicing = specials.some((s) => s.kind === 'slice' || s.kind === 'positional');
  return base.map((projected, i) => {
    // Slices replace arrays in place: on a copy, since mingo's output may share them with the store.
    const out = slicing ? cloneDoc(projected) : { ...projected };
    const doc = docs[i] as Document;
    for (const s of specials) {
      if (s.kind === 'slice') atPath(out, s.path.split('.'), (values) => slice(values, s.skip, s.limit));
      else if (s.kind === 'positional') {
        const at = positionalIndex(readPath(doc, s.path), s.path, filter);
        if (at === undefined) {
          throw new MongoCommandError('Location51246', "Executor error during find command :: caused by :: positional operator '.$' element mismatch");
        }
        atPath(out, s.path.split('.'), (values) => values.slice(at, at + 1));
      }
      else if (s.kind === 'elemMatch') {
        const values: unknown = doc[s.field];
        const at = Array.isArray(values) ? values.findIndex(s.test) : -1;
        if (at < 0) delete out[s.field];
        else setLast(out, s.field, [(values as unknown[])[at]]);
      } else {
        const score = scores?.get(doc);
        if (score === undefined) throw new MongoCommandError('Location40218', 'query requires text score metadata, but it is not available');
        setLast(out, s.field, score);
      }
    }
    return out;
  });
}
