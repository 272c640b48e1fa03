/**
 * `$group` without mingo for the shape dashboards use: `_id` a field path, null or a constant,
 * and `$sum` (of a constant or a field), `$avg`, `$min`, `$max` of fields, `$count`.
 * mingo builds one array per group and re-evaluates expressions per document; this is one pass
 * with running totals.
 *
 * Output equals mingo's: groups in first-seen order, `_id` first then the fields in spec order,
 * missing `_id` values grouped as null, `$sum`/`$avg` ignoring non-numbers (NaN included) in
 * document order, `$sum` of a constant as `count * constant`. Arrays, embedded documents or odd
 * values under a path, and `$min`/`$max` over anything but numbers, null and missing, return
 * undefined so that mingo runs the stage.
 */
import { ObjectId, type Document } from '../bson.js';
import { isPlainObject } from '../values.js';
import { COMPLEX, pathReader, type PathReader, type Scalar } from './scalar.js';

type Accumulator =
  | { readonly field: string; readonly op: '$count' }
  | { readonly field: string; readonly op: '$sumConst'; readonly constant: number }
  | { readonly field: string; readonly op: '$sum' | '$avg' | '$min' | '$max'; readonly read: PathReader };

/** A `$group` spec in the supported shape. */
export interface GroupPlan {
  /** Reader of the `_id` field path, or undefined when `_id` is a constant. */
  readonly readId: PathReader | undefined;
  readonly idConstant: string | number | boolean | null;
  readonly accumulators: readonly Accumulator[];
}

/** Running state of one group; per accumulator: numeric total and count, or the extreme so far. */
interface GroupState {
  readonly id: unknown;
  count: number;
  readonly sums: Float64Array;
  readonly numbers: Uint32Array;
  readonly extremes: Array<number | null>;
}

/** Parses a `$group` spec; undefined when it is outside the supported shape. */
export function planGroup(spec: Document): GroupPlan | undefined {
  if (!('_id' in spec)) return undefined;
  const id: unknown = spec._id;
  let readId: PathReader | undefined;
  let idConstant: GroupPlan['idConstant'] = null;
  if (typeof id === 'string' && id.startsWith('$')) {
    readId = pathReader(id.slice(1));
    if (!readId) return undefined;
  } else if (id === null || typeof id === 'string' || typeof id === 'boolean' || (typeof id === 'number' && Number.isFinite(id))) {
    idConstant = id;
  } else return undefined;

  const accumulators: Accumulator[] = [];
  for (const field of Object.keys(spec)) {
    if (field === '_id') continue;
    const accumulator = field === '__proto__' ? undefined : parseAccumulator(field, spec[field]);
    if (!accumulator) return undefined;
    accumulators.push(accumulator);
  }
  return { readId, idConstant, accumulators };
}

function parseAccumulator(field: string, expr: unknown): Accumulator | undefined {
  if (!isPlainObject(expr)) return undefined;
  const ops = Object.keys(expr);
  if (ops.length !== 1) return undefined;
  const op = ops[0] as string;
  const arg: unknown = expr[op];
  if (op === '$count') return isPlainObject(arg) && Object.keys(arg).length === 0 ? { field, op } : undefined;
  if (op === '$sum' && typeof arg === 'number' && Number.isFinite(arg)) return { field, op: '$sumConst', constant: arg };
  if (op !== '$sum' && op !== '$avg' && op !== '$min' && op !== '$max') return undefined;
  const read = typeof arg === 'string' && arg.startsWith('$') ? pathReader(arg.slice(1)) : undefined;
  return read && { field, op, read };
}

/** Whether the output depends on the number of documents only (a constant `_id`, counts). */
export function isCountOnly(plan: GroupPlan): boolean {
  return !plan.readId && plan.accumulators.every((a) => a.op === '$count' || a.op === '$sumConst');
}

/** The output of a count-only group over `n` documents (no group at all when n is 0). */
export function groupOfCount(plan: GroupPlan, n: number): Document[] {
  if (n === 0) return [];
  const group = newGroup(plan.idConstant, 0);
  group.count = n;
  return [output(plan, group)];
}

/** Runs the group over the documents passing `test`; undefined when some value needs mingo. */
export function runGroup(plan: GroupPlan, docs: Iterable<Document>, test: (doc: Document) => boolean): Document[] | undefined {
  const groups: GroupState[] = [];
  const byPrimitive = new Map<unknown, GroupState>();
  const byObject = new Map<string, GroupState>();
  const { accumulators, readId } = plan;
  const size = accumulators.length;
  for (const doc of docs) {
    if (!test(doc)) continue;
    let group: GroupState | undefined;
    if (readId) {
      const key = readId(doc);
      if (key === COMPLEX) return undefined;
      const objectKey = objectKeyOf(key);
      if (objectKey === COMPLEX) return undefined;
      const map: Map<unknown, GroupState> = objectKey === undefined ? byPrimitive : byObject;
      const lookup = objectKey ?? key ?? null;
      group = map.get(lookup);
      if (!group) {
        // mingo's groups are Map keys, and a Map stores the key -0 as 0.
        group = newGroup(Object.is(key, -0) ? 0 : (key ?? null), size);
        map.set(lookup, group);
        groups.push(group);
      }
    } else {
      group = groups[0];
      if (!group) {
        group = newGroup(plan.idConstant, size);
        groups.push(group);
      }
    }
    group.count++;
    for (let i = 0; i < size; i++) {
      const acc = accumulators[i] as Accumulator;
      if (acc.op === '$count' || acc.op === '$sumConst') continue;
      const value = acc.read(doc);
      if (value === COMPLEX) return undefined;
      if (typeof value === 'number' && !Number.isNaN(value)) {
        if (acc.op === '$sum' || acc.op === '$avg') {
          group.sums[i] = (group.sums[i] as number) + value;
          group.numbers[i] = (group.numbers[i] as number) + 1;
        } else {
          const current = group.extremes[i] as number | null;
          // mingo sorts the values stably: $min keeps the first of equal values (0 and -0), $max the last.
          if (current === null || (acc.op === '$min' ? value < current : value >= current)) group.extremes[i] = value;
        }
      } else if (value !== null && value !== undefined && (acc.op === '$min' || acc.op === '$max')) {
        // mingo orders mixed types by type; $sum and $avg just skip non-numbers.
        return undefined;
      }
    }
  }
  return groups.map((group) => output(plan, group));
}

/** Map key for Date and ObjectId `_id` values (mingo groups them by value); COMPLEX for invalid dates. */
function objectKeyOf(value: Scalar): string | undefined | typeof COMPLEX {
  if (value instanceof Date) {
    const time = value.getTime();
    // mingo never considers two invalid dates equal, so each would be its own group.
    return Number.isNaN(time) ? COMPLEX : `date:${time}`;
  }
  if (value instanceof ObjectId) return `oid:${value.toHexString()}`;
  return undefined;
}

function newGroup(id: unknown, size: number): GroupState {
  return { id, count: 0, sums: new Float64Array(size), numbers: new Uint32Array(size), extremes: new Array<number | null>(size).fill(null) };
}

function output(plan: GroupPlan, group: GroupState): Document {
  const out: Document = { _id: group.id };
  plan.accumulators.forEach((acc, i) => {
    switch (acc.op) {
      case '$count':
        out[acc.field] = group.count;
        break;
      case '$sumConst':
        out[acc.field] = group.count * acc.constant;
        break;
      case '$sum':
        out[acc.field] = group.sums[i];
        break;
      case '$avg':
        out[acc.field] = group.numbers[i] ? (group.sums[i] as number) / (group.numbers[i] as number) : null;
        break;
      default:
        out[acc.field] = group.extremes[i];
    }
  });
  return out;
}
