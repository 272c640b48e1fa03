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

/** Organizations of the sorted-walk test: few, so buckets are large. */
export const WALK_ORGS = ['o1', 'o2', 'o3'] as const;

/** The sort values of the sorted-walk test: few dates, so equal sort values are frequent. */
function walkSortValue(rng: Rng, mixed: boolean): unknown {
  const roll = rng.next();
  if (roll < 0.06) return null;
  if (mixed && roll < 0.3) return scalarOf(rng, rng.pick(KINDS));
  return scalarOf(rng, 'date');
}

/**
 * A lead-like document for the sorted-walk test. `_id`s are unique but of mixed types (numbers,
 * strings, ObjectIds, dates) when `mixed`; `dirty` lets arrays, embedded documents, NaN, invalid
 * dates and Longs reach the indexed fields (which must make the walk refuse that bucket).
 */
export function walkDoc(rng: Rng, id: number, options: { mixed: boolean; dirty: boolean }): Document {
  const { mixed, dirty } = options;
  const idRoll = mixed ? rng.next() : 1;
  const _id = idRoll < 0.15 ? `s${id}` : idRoll < 0.25 ? new ObjectId() : idRoll < 0.3 ? new Date(Date.UTC(2020, 0, 1) + id * 1000) : id;
  const doc: Document = { _id };
  const set = (field: string, value: () => unknown, missing = 0.04): void => {
    if (rng.chance(missing)) return;
    doc[field] = dirty && rng.chance(0.03) ? anyValue(rng) : value();
  };
  set('a', () => rng.pick(WALK_ORGS), 0.02);
  set('b', () => (rng.chance(0.08) ? null : rng.int(4)));
  set('c', () => walkSortValue(rng, mixed), 0.05);
  set('d', () => rng.chance(0.5));
  set('u', () => rng.int(mixed ? 400 : 4000) - (mixed ? 200 : 0));
  set('s', () => rng.pick(['gomez', 'perez', 'gomez perez', 'Gomez']), 0.2);
  if (!rng.chance(0.15)) doc.n = rng.chance(0.1) ? {} : { x: dirty && rng.chance(0.03) ? anyValue(rng) : rng.pick([1, 2, 3, 'x', null]) };
  return doc;
}

/** The shapes the sorted-walk test queries: pinned fields and the sort (as [field, direction]). */
const WALK_SHAPES: ReadonlyArray<{ pins: readonly string[]; sort: ReadonlyArray<readonly [string, 1 | -1]> }> = [
  { pins: ['a'], sort: [['c', -1], ['_id', -1]] },
  { pins: ['a'], sort: [['c', -1], ['_id', -1]] },
  { pins: ['a', 'b'], sort: [['c', 1], ['_id', 1]] },
  { pins: ['a'], sort: [['b', 1], ['c', 1], ['_id', 1]] },
  { pins: ['a'], sort: [['n.x', -1], ['_id', 1]] },
  { pins: ['a'], sort: [['u', 1]] },
  { pins: ['a', 'd'], sort: [['c', -1], ['_id', -1]] },
  { pins: ['b'], sort: [['c', 1], ['_id', 1]] },
  { pins: ['s'], sort: [['c', -1], ['_id', -1]] },
];

/** A value to pin `field` to: mostly one that occurs, sometimes another type or an absent value. */
function walkPin(rng: Rng, field: string): unknown {
  if (rng.chance(0.05)) return rng.pick<unknown>([1, 'zz', true, new Date(0), new ObjectId(OIDS[0]?.toHexString())]);
  switch (field) {
    case 'a':
      return rng.pick(WALK_ORGS);
    case 'b':
      return rng.int(4);
    case 'd':
      return rng.chance(0.5);
    default:
      return rng.pick(['gomez', 'perez', 'gomez perez']);
  }
}

/**
 * A sorted, windowed find for the sorted-walk test: mostly shapes an index can walk (sometimes
 * reversed), sometimes spoiled (one direction flipped, `_id` dropped, a second `$in` value, a
 * filter outside the fast grammar), with extra conditions, skips past the end and limit 0.
 */
export function walkQuery(rng: Rng): { filter: Document; sort: Document; skip: number; limit: number } {
  const shape = rng.pick(WALK_SHAPES);
  const reverse = rng.chance(0.5);
  let keys = shape.sort.map(([field, direction]) => [field, reverse ? -direction : direction] as [string, number]);
  const spoil = rng.next();
  if (spoil < 0.05) keys = keys.map(([field, direction], i) => [field, i === keys.length - 1 ? -direction : direction]);
  else if (spoil < 0.1) keys = keys.filter(([field]) => field !== '_id');
  const sort: Document = Object.fromEntries(keys);
  const filter: Document = {};
  const and: Document[] = [];
  for (const field of shape.pins) {
    const value = walkPin(rng, field);
    const roll = rng.next();
    if (roll < 0.55) filter[field] = value;
    else if (roll < 0.7) filter[field] = { $eq: value };
    else if (roll < 0.8) filter[field] = { $in: [value] };
    else if (roll < 0.85) filter[field] = { $in: [value, walkPin(rng, field)] };
    else and.push({ [field]: value });
  }
  const extra = rng.next();
  if (extra < 0.15) filter.s = rng.pick<unknown>([/gomez/, /^g/i, { $regex: 'perez' }]);
  else if (extra < 0.25) filter.b = { $gte: 1 };
  else if (extra < 0.3) filter.c = { $lt: new Date(Date.UTC(2024, 0, 3)) };
  else if (extra < 0.45) and.push(randomFilter(rng));
  else if (extra < 0.5) filter.n = { $elemMatch: { x: 1 } };
  if (and.length) filter.$and = and;
  return { filter, sort, skip: rng.pick([0, 0, 0, 1, 3, 10, 100, 10_000]), limit: rng.pick([0, 1, 2, 5, 50]) };
}
