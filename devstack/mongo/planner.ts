/**
 * Picks the documents a query must look at. When the filter pins every field of an index (or the
 * leading field of a compound one) to exact values (`{a: v}`, `{a: {$eq: v}}`, `{a: {$in: [...]}}`,
 * also inside a top-level `$and`) the candidates come from the index; leading fields pinned and a
 * range on the next one read a stretch of a compound index's ordered view (fast/stretch.ts);
 * otherwise it scans.
 * The full filter is always re-applied afterwards (fast/filter.ts, with mingo's semantics), so
 * candidates only need to be a superset of the true matches. A `hint` replaces the choice (the
 * hinted index's documents, `$natural` for a scan in either direction); under a collation, string
 * equality is served only by indexes with that collation. The choice is reported for `explain`.
 */
import type { Document } from './bson.js';
import { parseCollation, sameCollation, type Collation } from './collation.js';
import { ID_INDEX_SPEC, type Collection } from './collection.js';
import { MongoCommandError } from './errors.js';
import type { Bucket, IndexSpec, SecondaryIndex } from './indexes.js';
import { isTextIndex } from './text.js';
import { encodeKey, isPlainObject, isPointValue } from './values.js';
import { chain, rangeOf, readStretches } from './fast/stretch.js';

/** Upper bound on key combinations probed for one compound `$in` lookup before falling back to a scan. */
const MAX_PROBES = 1000;

/** How the candidates were found, as `explain` reports it. */
export type PlanChoice =
  | { readonly stage: 'COLLSCAN'; readonly direction: 1 | -1 }
  | { readonly stage: 'IDHACK' }
  | { readonly stage: 'IXSCAN'; readonly spec: IndexSpec };

/** The candidates of a query and how many there are. */
export interface CandidateSet {
  readonly docs: Iterable<Document>;
  readonly size: number;
  readonly plan?: PlanChoice;
}

/** A `hint`: an existing index (by name or key pattern) or `{$natural: ±1}`. */
export type Hint = { readonly natural: 1 | -1 } | { readonly spec: IndexSpec; readonly index: SecondaryIndex | undefined };

/** What besides the filter decides the plan. */
export interface PlanOptions {
  readonly hint?: Hint;
  /** The query's (non-simple) collation: indexes with another collation cannot serve string equality. */
  readonly collation?: Collation;
}

/**
 * Resolves a `hint` against the collection's indexes; mongod refuses a hint naming no index
 * (BadValue). undefined when there is no hint (or no collection: mongod returns nothing then).
 */
export function resolveHint(coll: Collection | undefined, hint: unknown): Hint | undefined {
  if (hint === undefined || hint === null || !coll) return undefined;
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return undefined;
  if (isPlainObject(hint) && '$natural' in hint) return { natural: Number(hint.$natural) < 0 ? -1 : 1 };
  const specs = coll.indexSpecs();
  const spec =
    typeof hint === 'string'
      ? specs.find((s) => s.name === hint)
      : isPlainObject(hint)
        ? specs.find((s) => encodeKey(s.key) === encodeKey(hint))
        : undefined;
  if (!spec) {
    throw new MongoCommandError(
      'BadValue',
      `error processing query: ns=${coll.ns} planner returned error :: caused by :: hint provided does not correspond to an existing index`,
    );
  }
  return { spec, index: coll.indexes.find((i) => i.spec === spec) };
}

/** Candidate documents for `filter` from `coll`, in natural order when scanning. */
export function candidates(coll: Collection, filter: Document): Iterable<Document> {
  return candidateSet(coll, filter).docs;
}

/** Candidate documents for `filter` from `coll` (as `candidates`), with their number. */
export function candidateSet(coll: Collection, filter: Document, options: PlanOptions = {}): CandidateSet {
  const all: CandidateSet = { docs: coll.docs.values(), size: coll.docs.size, plan: { stage: 'COLLSCAN', direction: 1 } };
  const { hint, collation } = options;
  if (hint && 'natural' in hint) {
    return hint.natural === 1 ? all : { docs: [...coll.docs.values()].reverse(), size: coll.docs.size, plan: { stage: 'COLLSCAN', direction: -1 } };
  }
  const pinned = new Map<string, unknown[]>();
  collectPinned(filter, pinned);
  // Under a collation, string equality is not byte equality: only indexes with that collation serve it.
  const servable = (values: unknown[], indexCollation: unknown): boolean =>
    !collation || sameCollation(parseCollation(indexCollation), collation) || !values.some((v) => typeof v === 'string');

  const ids = pinned.get('_id');
  if (ids && servable(ids, undefined) && (!hint || hint.spec === ID_INDEX_SPEC)) {
    const found = fetch(coll, ids.map(encodeKey));
    return { ...found, plan: hint ? { stage: 'IXSCAN', spec: ID_INDEX_SPEC } : { stage: 'IDHACK' } };
  }
  if (hint) {
    // A hinted index serves the query whatever its selectivity; a sparse or partial one only holds some documents.
    const index = hint.index;
    if (!index) return { ...all, plan: { stage: 'IXSCAN', spec: hint.spec } };
    return { ...(lookupIn(index, pinned, servable) ?? index.allDocs()), plan: { stage: 'IXSCAN', spec: hint.spec } };
  }
  if (pinned.size === 0) return sparseCandidates(coll, filter) ?? all;

  // A text index only serves $text (query.ts), never equality.
  const usable = coll.indexes.filter((index) => !isTextIndex(index.spec) && pinned.has(index.fields[0] as string) && index.coveredBy(filter, pinned));
  // The first index whose every field is pinned serves exact keys; how many documents that is, at most.
  let exact: { index: SecondaryIndex; atMost: number } | undefined;
  for (const index of usable) {
    const atMost = exactSizeBound(index, pinned, servable);
    if (atMost !== undefined) {
      exact = { index, atMost };
      break;
    }
  }
  // Leading fields pinned and a range on the next one, or several leading fields pinned: the
  // narrowest stretch of an index's ordered view, when it is narrower than the exact keys'
  // documents (e.g. {org, campaign, status: {$in}, next_step_at: {$lte: t}} over (org, campaign,
  // status, next_step_at), not every running enrollment of the campaign from (org, campaign, status)).
  if (!collation) {
    let best: CandidateSet | undefined;
    for (const index of usable) {
      const found = lookupOrdered(index, pinned, filter, exact !== undefined);
      if (found && (!best || found.size < best.size)) best = found;
    }
    if (best && (!exact || best.size < exact.atMost)) return best;
  }
  if (exact) return lookupAll(exact.index, pinned, servable) as CandidateSet;
  // Equality on the leading field of a compound index (e.g. {conversationKey} on {conversationKey, at}).
  for (const index of usable) {
    const found = lookupLeading(index, pinned, servable);
    if (found) return found;
  }
  return sparseCandidates(coll, filter) ?? all;
}

/**
 * A sparse single-field index holds exactly the documents that have its field, so it serves any
 * condition on that field that a missing field cannot meet: a range on a non-null bound or
 * `$exists: true` (e.g. the outbox sweep's `{_outbox_at: {$lte: t}}`, which otherwise scans every
 * document to find the few with an event pending). The smallest such index wins.
 */
function sparseCandidates(coll: Collection, filter: Document): CandidateSet | undefined {
  const conditions = new Map<string, unknown>();
  const collect = (f: Document) => {
    for (const [field, cond] of Object.entries(f)) {
      if (field === '$and' && Array.isArray(cond)) for (const branch of cond) if (isPlainObject(branch)) collect(branch);
      if (!field.startsWith('$') && !conditions.has(field)) conditions.set(field, cond);
    }
  };
  collect(filter);
  let best: CandidateSet | undefined;
  for (const index of coll.indexes) {
    if (!index.sparse || index.fields.length !== 1 || index.spec.partialFilterExpression || index.collated || isTextIndex(index.spec)) continue;
    if (!excludesMissing(conditions.get(index.fields[0] as string))) continue;
    const found = index.allDocs();
    if (!best || found.size < best.size) best = { ...found, plan: { stage: 'IXSCAN', spec: index.spec } };
  }
  return best;
}

/** Whether a field condition is false for a document without the field. */
function excludesMissing(cond: unknown): boolean {
  if (!isPlainObject(cond)) return false;
  const ops = Object.entries(cond);
  if (ops.length === 0 || ops.some(([op]) => !op.startsWith('$'))) return false;
  return ops.some(([op, v]) => (['$gt', '$gte', '$lt', '$lte'].includes(op) && v !== null && v !== undefined) || (op === '$exists' && v === true));
}

type Servable = (values: unknown[], indexCollation: unknown) => boolean;

/** The keys (values in `fields` order) an index serves for values pinned on all its fields; undefined when they are not. */
function exactKeys(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, servable: Servable): unknown[][] | undefined {
  if (!index.fields.every((f) => pinned.has(f) && servable(pinned.get(f) as unknown[], index.spec.collation))) return undefined;
  return combinations(index.fields.map((f) => pinned.get(f) as unknown[]));
}

/** The index's documents for values pinned on all its fields; undefined when they are not. */
function lookupAll(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, servable: Servable): CandidateSet | undefined {
  const keys = exactKeys(index, pinned, servable);
  return keys && { ...union(keys.map((values) => index.lookup(values)), index.scalarKeys), plan: { stage: 'IXSCAN', spec: index.spec } };
}

/** What `lookupAll` would read, counted from the buckets' sizes (a document under two keys counts twice); undefined when it cannot serve. */
function exactSizeBound(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, servable: Servable): number | undefined {
  return exactKeys(index, pinned, servable)?.reduce((n, values) => n + (index.lookup(values)?.size ?? 0), 0);
}

/** A compound index's documents for values pinned on its leading field; undefined when they are not. */
function lookupLeading(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, servable: Servable): CandidateSet | undefined {
  const values = pinned.get(index.fields[0] as string);
  if (index.fields.length < 2 || !values || !servable(values, index.spec.collation)) return undefined;
  return { ...union(values.map((value) => index.lookupPrefix(value)), index.scalarKeys), plan: { stage: 'IXSCAN', spec: index.spec } };
}

/** Most combinations of pinned values read from an ordered view for one query (else the leading field's bucket serves). */
const MAX_ORDERED_PROBES = 16;

/**
 * The documents of a compound index's ordered view whose leading fields equal values the filter
 * pins and whose next field lies in the filter's range on it (fast/stretch.ts); undefined when
 * that narrows nothing beyond the leading field's bucket or an exact key, or the view cannot
 * serve it. Candidates only: the filter is applied to each afterwards.
 */
function lookupOrdered(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, filter: Document, exactServed: boolean): CandidateSet | undefined {
  const { fields } = index;
  let count = 0;
  while (count < fields.length && pinned.has(fields[count] as string)) count++;
  if (count === 0 || count === fields.length) return undefined;
  const range = rangeOf(filter[fields[count] as string]);
  // Without a range, pinned fields narrow an ordered view only where no index serves exact keys
  // (a view is built on first use and kept up to date on every write: not for nothing).
  if (!range && (count < 2 || exactServed)) return undefined;
  const ordered = index.ordered();
  if (!ordered) return undefined;
  const combos = combinations(fields.slice(0, count).map((f) => pinned.get(f) as unknown[]));
  if (!combos || combos.length > MAX_ORDERED_PROBES) return undefined;
  const found = readStretches(ordered, combos, range, ordered.directions[count - 1] === 1);
  return found && { ...found, plan: { stage: 'IXSCAN', spec: index.spec } };
}

function lookupIn(index: SecondaryIndex, pinned: ReadonlyMap<string, unknown[]>, servable: Servable): CandidateSet | undefined {
  return lookupAll(index, pinned, servable) ?? lookupLeading(index, pinned, servable);
}

function fetch(coll: Collection, ids: string[]): CandidateSet {
  const out: Document[] = [];
  for (const id of new Set(ids)) {
    const doc = coll.docs.get(id);
    if (doc) out.push(doc);
  }
  return { docs: out, size: out.length };
}

/**
 * Documents of the union of index buckets, in bucket order. Buckets of an index whose documents
 * each have one key (`disjoint`) share no document: they are chained as they are read, so a query
 * that stops early (a `limit`, an `exists`) reads only what it needs; otherwise each document once.
 */
function union(buckets: Array<Bucket | undefined>, disjoint: boolean): CandidateSet {
  // Two query values with one key encoding (5 and 5.0) name the same bucket.
  const present = [...new Set(buckets.filter((bucket) => bucket !== undefined))];
  if (present.length === 1) return { docs: (present[0] as Bucket).values(), size: (present[0] as Bucket).size };
  if (disjoint) return { docs: chain(present.map((bucket) => () => bucket.values())), size: present.reduce((n, bucket) => n + bucket.size, 0) };
  const found = new Map<string, Document>();
  for (const bucket of present) for (const [id, doc] of bucket) if (!found.has(id)) found.set(id, doc);
  return { docs: found.values(), size: found.size };
}

/** Records, per field, the exact values the filter restricts it to (intersecting `$and` branches loosely). */
function collectPinned(filter: Document, pinned: Map<string, unknown[]>): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const branch of cond) if (isPlainObject(branch)) collectPinned(branch, pinned);
      continue;
    }
    if (field.startsWith('$')) continue;
    const values = pointValues(cond);
    if (values && !pinned.has(field)) pinned.set(field, values);
  }
}

function pointValues(cond: unknown): unknown[] | undefined {
  if (isPointValue(cond)) return [cond];
  if (!isPlainObject(cond)) return undefined;
  if ('$eq' in cond) return isPointValue(cond.$eq) ? [cond.$eq] : undefined;
  const list: unknown = cond.$in;
  if (Array.isArray(list) && list.every(isPointValue)) return list;
  return undefined;
}

function combinations(lists: unknown[][]): unknown[][] | undefined {
  let combos: unknown[][] = [[]];
  for (const list of lists) {
    if (combos.length * list.length > MAX_PROBES) return undefined;
    combos = combos.flatMap((combo) => list.map((v) => [...combo, v]));
  }
  return combos;
}
