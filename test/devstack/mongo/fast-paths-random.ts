/**
 * Seeded random documents, filters, sorts and groups for the fast-path differential tests
 * (fast-paths.test.ts). The value pools are small on purpose, so equal values, ties and type
 * mixes (numbers vs numeric strings, null vs missing, arrays vs scalars) are frequent.
 */
import { Long, ObjectId, type Document } from '../../../devstack/mongo/bson.js';

/** mulberry32: a tiny deterministic PRNG, so a failing seed reproduces. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

const OIDS = ['000000000000000000000001', '000000000000000000000002', '0000000000000000000000ff'].map((hex) => new ObjectId(hex));
const DAY = 86_400_000;
const DATES = [0, 1, 2, 3].map((d) => new Date(Date.UTC(2024, 0, 1) + d * DAY));
const NUMBERS = [-2, -1, 0, -0, 1, 2, 3, 2.5, 10, Infinity, -Infinity];
const STRINGS = ['', 'a', 'b', 'ab', 'B', 'Ab', '1', '10', '9', 'é', 'a\nb'];

/** The kinds a "typed" field holds (one kind per field, plus null/missing). */
export type Kind = 'number' | 'string' | 'date' | 'boolean' | 'objectId';

/** A scalar of `kind`; a fresh Date object each time, as documents decoded from BSON have. */
export function scalarOf(rng: Rng, kind: Kind): unknown {
  switch (kind) {
    case 'number':
      return rng.pick(NUMBERS);
    case 'string':
      return rng.pick(STRINGS);
    case 'date':
      return new Date(rng.pick(DATES).getTime());
    case 'boolean':
      return rng.chance(0.5);
    case 'objectId':
      return new ObjectId(rng.pick(OIDS).toHexString());
  }
}

const KINDS: readonly Kind[] = ['number', 'string', 'date', 'boolean', 'objectId'];

/** Any scalar, null included; rarely NaN or an invalid date. */
export function anyScalar(rng: Rng): unknown {
  if (rng.chance(0.1)) return null;
  if (rng.chance(0.02)) return NaN;
  if (rng.chance(0.02)) return new Date(NaN);
  return scalarOf(rng, rng.pick(KINDS));
}

/** Any value a stored document may hold: scalars, arrays (nested too), embedded documents, odd BSON types. */
export function anyValue(rng: Rng): unknown {
  const roll = rng.next();
  if (roll < 0.6) return anyScalar(rng);
  if (roll < 0.75) return Array.from({ length: rng.int(4) }, () => (rng.chance(0.15) ? [anyScalar(rng)] : anyScalar(rng)));
  if (roll < 0.88) return rng.chance(0.8) ? { x: anyScalar(rng) } : { x: anyScalar(rng), y: anyScalar(rng) };
  if (roll < 0.92) return {};
  if (roll < 0.96) return Long.fromString('1152921504606846976');
  return /a/;
}

/** Fields documents and queries use; `n.x` is nested, `missing` is never set. */
export const FIELDS = ['a', 'b', 'c', 'd', 'e', 'n.x', 'n', 'missing', '_id'] as const;

/**
 * A document with `_id` = `id`. "mixed": any value anywhere. "typed": each field holds one kind
 * (a: string, b: number, c: date, d: boolean, e: ObjectId, n.x: number), sometimes null or missing,
 * so that most sorts and groups can take the fast path.
 */
export function randomDoc(rng: Rng, id: number, profile: 'mixed' | 'typed'): Document {
  const doc: Document = { _id: id };
  const kinds: Record<string, Kind> = { a: 'string', b: 'number', c: 'date', d: 'boolean', e: 'objectId' };
  for (const field of ['a', 'b', 'c', 'd', 'e']) {
    if (rng.chance(0.12)) continue;
    if (profile === 'typed') doc[field] = rng.chance(0.08) ? null : scalarOf(rng, kinds[field] as Kind);
    else doc[field] = anyValue(rng);
  }
  if (!rng.chance(0.2)) {
    if (profile === 'typed') doc.n = rng.chance(0.1) ? {} : { x: scalarOf(rng, 'number') };
    else doc.n = rng.chance(0.7) ? { x: anyValue(rng) } : anyValue(rng);
  }
  return doc;
}

/** An operand for `$eq`/`$in`/... that the fast predicate accepts. */
function eqOperand(rng: Rng): unknown {
  return rng.chance(0.12) ? null : scalarOf(rng, rng.pick(KINDS));
}

function rangeOperand(rng: Rng): unknown {
  return scalarOf(rng, rng.pick(['number', 'string', 'date'] as const));
}

const REGEXES = [/a/, /^a/i, /b$/, /\d/, /^$/, /A/i];

/** A field condition from the supported grammar. */
function supportedCondition(rng: Rng): unknown {
  switch (rng.int(10)) {
    case 0:
      return eqOperand(rng);
    case 1:
      return rng.pick(REGEXES);
    case 2:
      return { [rng.pick(['$eq', '$ne'])]: eqOperand(rng) };
    case 3:
    case 4: {
      const list = Array.from({ length: rng.int(4) }, () => (rng.chance(0.15) ? rng.pick(REGEXES) : eqOperand(rng)));
      return { [rng.pick(['$in', '$nin'])]: list };
    }
    case 5:
    case 6: {
      const cond: Document = { [rng.pick(['$gt', '$gte', '$lt', '$lte'])]: rangeOperand(rng) };
      if (rng.chance(0.5)) cond[rng.pick(['$gt', '$gte', '$lt', '$lte'])] = rangeOperand(rng);
      return cond;
    }
    case 7:
      return { $exists: rng.chance(0.5) };
    case 8:
      return rng.chance(0.5) ? { $regex: rng.pick(['a', '^b', '\\d', 'A']), $options: rng.pick(['', 'i', 'm']) } : { $regex: rng.pick(REGEXES) };
    default:
      return { $ne: eqOperand(rng), $exists: true };
  }
}

/** Field conditions the fast predicate must leave to mingo (some of them mingo rejects). */
const UNSUPPORTED_CONDITIONS: ReadonlyArray<() => unknown> = [
  () => ({ $elemMatch: { $gt: 1 } }),
  () => ({ $size: 1 }),
  () => ({ $type: 'string' }),
  () => ({ x: 1 }),
  () => [1, 2],
  () => ({ $not: { $gt: 1 } }),
  () => ({ $gt: null }),
  () => ({ $gt: true }),
  () => ({ $in: [{ x: 1 }] }),
  () => ({ $regex: /a/g }),
  () => ({ $mod: [2, 0] }),
  () => ({ $all: [1] }),
  () => ({ $in: 'a' }),
  () => ({ $options: 'i' }),
  () => ({ $eq: /a/ }),
  () => ({}),
  () => ({ $gt: NaN }),
];

/** A random filter: mostly the supported grammar, sometimes with unsupported parts. */
export function randomFilter(rng: Rng, depth = 0): Document {
  const filter: Document = {};
  const clauses = 1 + rng.int(3);
  for (let i = 0; i < clauses; i++) {
    const roll = rng.next();
    if (depth < 2 && roll < 0.15) {
      const op = rng.pick(['$and', '$or']);
      filter[op] = Array.from({ length: 1 + rng.int(3) }, () => randomFilter(rng, depth + 1));
    } else if (roll < 0.2) {
      const odd = rng.pick<Document>([{ $nor: [{ a: 1 }] }, { $expr: { $gt: ['$b', 1] } }, { $where: 'x' }, { $and: [] }, { $or: 'x' }]);
      Object.assign(filter, odd);
    } else if (roll < 0.27) {
      filter[rng.pick(FIELDS)] = rng.pick(UNSUPPORTED_CONDITIONS)();
    } else {
      filter[rng.pick(FIELDS)] = supportedCondition(rng);
    }
  }
  return filter;
}

/** A sort spec of one to three keys; sometimes with a direction mingo does not treat as ±1. */
export function randomSort(rng: Rng): Document {
  const sort: Document = {};
  const keys = 1 + rng.int(3);
  for (let i = 0; i < keys; i++) sort[rng.pick(FIELDS.filter((f) => f !== 'n'))] = rng.chance(0.05) ? rng.pick<unknown>([0, 'asc', 2]) : rng.pick([1, -1]);
  return sort;
}

/** A `$group` spec: mostly the supported shape, sometimes an accumulator or `_id` it leaves to mingo. */
export function randomGroup(rng: Rng): Document {
  const id = rng.chance(0.1)
    ? rng.pick<unknown>(['$n', { k: '$a' }, '$$ROOT', '$'])
    : rng.pick<unknown>(['$a', '$b', '$c', '$d', '$e', '$n.x', '$missing', null, 1, 'x', true]);
  const spec: Document = { _id: id };
  const supported: Array<() => unknown> = [
    () => ({ $sum: 1 }),
    () => ({ $sum: 2.5 }),
    () => ({ $sum: `$${rng.pick(['b', 'n.x', 'a', 'missing'])}` }),
    () => ({ $avg: `$${rng.pick(['b', 'n.x', 'a'])}` }),
    () => ({ $min: `$${rng.pick(['b', 'n.x', 'c', 'missing'])}` }),
    () => ({ $max: `$${rng.pick(['b', 'n.x', 'c', 'missing'])}` }),
    () => ({ $count: {} }),
  ];
  const unsupported: Array<() => unknown> = [() => ({ $push: '$b' }), () => ({ $first: '$a' }), () => ({ $sum: '$$ROOT' }), () => ({ $sum: 'b' }), () => ({ $count: { x: 1 } })];
  const names = ['n', 's', 'avg', 'lo', 'hi', '2', 'total'];
  for (let i = 0, count = 1 + rng.int(4); i < count; i++) spec[rng.pick(names)] = rng.pick(rng.chance(0.9) ? supported : unsupported)();
  return spec;
}

/** An order-sensitive, type-exact rendering of a value (`-0`, NaN, key order and BSON types count). */
export function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof ObjectId) return `ObjectId(${value.toHexString()})`;
  if (value instanceof RegExp) return String(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    return `{${Object.entries(value as Document)
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return `${(value as { constructor: { name: string } }).constructor.name}(${String(value)})`;
}
