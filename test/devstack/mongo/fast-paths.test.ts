/**
 * The embedded server's fast paths (devstack/mongo/fast/) against mingo, their reference:
 * seeded random documents (mixed types on purpose: missing fields, nulls, arrays, embedded
 * documents, numbers vs strings, dates, ObjectIds, NaN, Longs) and random filters, sorts,
 * groups and pipelines, each run through the fast path and through plain mingo, must give
 * identical results (order, key order, -0 and types included). A failure names its seed.
 * The last block goes through the wire, where the assertions are mongod's behaviour.
 */
import { Aggregator, ProcessingMode } from 'mingo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type Document } from '../../../devstack/mongo/bson.js';
import { Collection } from '../../../devstack/mongo/collection.js';
import { collateFilter } from '../../../devstack/mongo/collation.js';
import { compileMatcher, compilePredicate } from '../../../devstack/mongo/fast/filter.js';
import { planGroup, runGroup } from '../../../devstack/mongo/fast/group.js';
import { countFromIndex } from '../../../devstack/mongo/fast/index-count.js';
import { runHead } from '../../../devstack/mongo/fast/pipeline.js';
import { sortMatches } from '../../../devstack/mongo/fast/sort.js';
import { walkSortedPage } from '../../../devstack/mongo/fast/sorted-walk.js';
import { normalizeIndexSpec } from '../../../devstack/mongo/indexes.js';
import { compileFilter } from '../../../devstack/mongo/mingo-options.js';
import { encodeKey } from '../../../devstack/mongo/values.js';
import { candidates, candidateSet } from '../../../devstack/mongo/planner.js';
import { countMatches, findDocs } from '../../../devstack/mongo/query.js';
import { anyScalar, anyValue, canonical, randomDoc, randomFilter, randomGroup, randomSort, Rng, scalarOf, WALK_ORGS, walkDoc, walkQuery } from './fast-paths-random.js';
import { openTestDb, type TestDb } from './support.js';

const SEEDS = [1, 2, 3, 4, 5, 6];

/** mingo's compiled `filter`, or the error it throws for it. */
function mingoQuery(filter: Document): { test: (doc: Document) => boolean } | Error {
  try {
    return compileFilter(filter);
  } catch (err) {
    return err as Error;
  }
}

/** The result of `run` in canonical form, or its error (mingo throws some errors only while matching). */
function outcome(run: () => unknown): string {
  try {
    return canonical(run());
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

function docsFor(rng: Rng, n: number): Document[] {
  const profile = rng.chance(0.5) ? 'typed' : 'mixed';
  return Array.from({ length: n }, (_, i) => randomDoc(rng, i, profile));
}

describe('fast predicate', () => {
  it('decides exactly as mingo on random documents and filters, and defers the rest', () => {
    const mismatches: string[] = [];
    let compiled = 0;
    let decided = 0;
    let deferred = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const docs = docsFor(rng, 250);
      for (let f = 0; f < 150; f++) {
        const filter = randomFilter(rng);
        const query = mingoQuery(filter);
        if (query instanceof Error) {
          expect(() => compileMatcher(filter), `seed ${seed} ${canonical(filter)}`).toThrow(query.message);
          continue;
        }
        const fast = compilePredicate(filter);
        const matcher = compileMatcher(filter);
        if (fast) compiled++;
        for (const doc of docs) {
          const expected = outcome(() => query.test(doc));
          const verdict = fast?.(doc);
          if (verdict === undefined) deferred++;
          else decided++;
          if (outcome(() => matcher(doc)) !== expected || (verdict !== undefined && String(verdict) !== expected)) {
            mismatches.push(`seed ${seed}: ${canonical(filter)} on ${canonical(doc)}: mingo ${expected}, fast ${verdict}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generators must exercise both paths, or the comparison above proves little.
    expect(compiled).toBeGreaterThan(SEEDS.length * 150 * 0.5);
    expect(decided).toBeGreaterThan(deferred);
    expect(deferred).toBeGreaterThan(0);
  });

  it('compiles the list-screen shapes and matches scalars without mingo', () => {
    const filters: Document[] = [
      { org_id: 'default', stage: 'mql' },
      { org_id: 'default', search: /correo123/ },
      { org_id: 'default', score: { $gte: 70, $lte: 90 } },
      { $or: [{ a: { $in: ['x', null] } }, { 'n.x': { $exists: false } }], b: { $nin: [1, 2] } },
    ];
    for (const filter of filters) expect(compilePredicate(filter), canonical(filter)).toBeDefined();
    expect(compilePredicate({ tags: { $elemMatch: { $eq: 'x' } } })).toBeUndefined();
    const lead = { _id: 1, org_id: 'default', stage: 'mql', score: 75, search: 'persona 1 correo123@example.com' };
    for (const filter of filters.slice(0, 3)) expect(compilePredicate(filter)?.(lead)).toBe(true);
    // An array (or an embedded document) at the path is mingo's to decide.
    expect(compilePredicate({ stage: 'mql' })?.({ stage: ['mql'] })).toBeUndefined();
  });

  it('leaves $all, collated comparisons and $text to mingo / the general path, whose answers follow mongod', () => {
    expect(compilePredicate({ name: { $all: ['Ana'] } })).toBeUndefined();
    const collated = collateFilter({ org_id: 'default', name: 'ANA' }, { locale: 'en', strength: 2 });
    expect(compilePredicate(collated)).toBeUndefined();
    expect(compilePredicate({ $text: { $search: 'ana' } })).toBeUndefined();
    const docs = [{ _id: 1, org_id: 'default', name: 'Ana' }, { _id: 2, org_id: 'default', name: ['ana', 'x'] }, { _id: 3, org_id: 'other', name: 'ANA' }];
    expect(docs.filter(compileMatcher({ name: { $all: ['Ana'] } })).map((d) => d._id)).toEqual([1]);
    expect(docs.filter(compileMatcher(collated)).map((d) => d._id)).toEqual([1, 2]);
  });
});

describe('sort + skip + limit', () => {
  /** What the cursor did before the fast path: mingo's sort of the matches, then skip and limit. */
  function mingoPage(matched: Document[], sort: Document, skip: number, limit: number): Document[] {
    const cursor = compileFilter({}).find<Document>(matched).sort(sort);
    if (skip) cursor.skip(skip);
    if (limit) cursor.limit(limit);
    return cursor.all();
  }

  it('returns mingo’s page (stable order of the candidates) for random data, sorts and windows', () => {
    const mismatches: string[] = [];
    let fast = 0;
    let deferred = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(100 + seed);
      for (let round = 0; round < 60; round++) {
        const docs = rng.shuffle(docsFor(rng, 20 + rng.int(400)));
        const filter = rng.chance(0.5) ? {} : randomFilter(rng);
        const query = mingoQuery(filter);
        if (query instanceof Error) continue;
        const sort = randomSort(rng);
        const skip = rng.chance(0.3) ? rng.int(30) : 0;
        const limit = rng.pick([0, 1, 5, 50, 1000]);
        if (outcome(() => docs.filter((d) => query.test(d))).startsWith('throws')) continue;
        const matched = docs.filter((d) => query.test(d));
        const expected = mingoPage(matched, sort, skip, limit);
        const sorted = sortMatches(docs, compileMatcher(filter), sort, skip, limit);
        if ('page' in sorted) fast++;
        else deferred++;
        const got = 'page' in sorted ? sorted.page : mingoPage(sorted.matched, sort, skip, limit);
        const same = got.length === expected.length && got.every((d, i) => d === expected[i]);
        const sameMatched = 'page' in sorted || (sorted.matched.length === matched.length && sorted.matched.every((d, i) => d === matched[i]));
        if (!same || !sameMatched) {
          mismatches.push(`seed ${seed} round ${round}: sort ${canonical(sort)} skip ${skip} limit ${limit} filter ${canonical(filter)}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(fast).toBeGreaterThan(SEEDS.length * 60 * 0.3);
    expect(deferred).toBeGreaterThan(0);
  });

  it('keeps ties in candidate order in large inputs, ascending and descending, in any input order', () => {
    const rng = new Rng(7);
    const docs = Array.from({ length: 5000 }, (_, i) => ({ _id: i, k: rng.int(4), t: new Date(Date.UTC(2024, 0, 1) + rng.int(50) * 1000), s: rng.chance(0.1) ? null : `s${rng.int(30)}` }));
    for (const order of [docs, [...docs].reverse(), rng.shuffle([...docs])]) {
      for (const sort of [{ t: -1 }, { t: 1 }, { k: 1, t: -1 }, { s: -1, _id: 1 }, { s: 1 }] as Document[]) {
        for (const [skip, limit] of [[0, 1], [0, 50], [100, 50], [0, 4999], [0, 0], [4990, 50]] as const) {
          const outcome = sortMatches(order, () => true, sort, skip, limit);
          expect('page' in outcome).toBe(true);
          const page = 'page' in outcome ? outcome.page : [];
          expect(page.map((d) => d._id), canonical({ sort, skip, limit })).toEqual(mingoPage(order, sort, skip, limit).map((d) => d._id));
        }
      }
    }
  });
});

describe('$group', () => {
  it('produces mingo’s output (group order, key order, numbers) or defers to mingo', () => {
    const mismatches: string[] = [];
    let fast = 0;
    let deferred = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(200 + seed);
      for (let round = 0; round < 80; round++) {
        const docs = docsFor(rng, rng.int(300));
        const spec = randomGroup(rng);
        let expected: string;
        try {
          expected = canonical(new Aggregator([{ $group: spec }]).run(docs));
        } catch {
          expect(planGroup(spec), canonical(spec)).toBeUndefined();
          continue;
        }
        const plan = planGroup(spec);
        const out = plan && runGroup(plan, docs, () => true);
        if (!out) {
          deferred++;
          continue;
        }
        fast++;
        if (canonical(out) !== expected) mismatches.push(`seed ${seed} round ${round}: ${canonical(spec)}\n  fast  ${canonical(out)}\n  mingo ${expected}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(SEEDS.length * 80 * 0.3);
    expect(deferred).toBeGreaterThan(0);
  });
});

describe('aggregate head ($match, $skip/$limit, $group) + mingo for the rest', () => {
  it('gives the same results as the whole pipeline in mingo', () => {
    const mismatches: string[] = [];
    let served = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(300 + seed);
      const coll = randomCollection(rng, 400);
      for (let round = 0; round < 60; round++) {
        const stages: Document[] = [{ $match: rng.chance(0.3) ? { a: scalarOf(rng, 'string') } : randomFilter(rng) }];
        while (rng.chance(0.3)) stages.push(rng.chance(0.5) ? { $skip: rng.int(50) } : { $limit: 1 + rng.int(100) });
        if (rng.chance(0.8)) stages.push({ $group: rng.chance(0.3) ? { _id: 1, n: { $sum: 1 } } : randomGroup(rng) });
        if (rng.chance(0.4)) stages.push({ $sort: { _id: 1 } });
        const options = { processingMode: ProcessingMode.CLONE_INPUT };
        const expected = outcome(() => new Aggregator(stages, options).run(candidates(coll, stages[0]?.$match as Document)));
        const got = outcome(() => {
          const head = runHead(coll, stages);
          if (head) served++;
          return new Aggregator(head ? head.rest : stages, options).run(head ? head.input : candidates(coll, stages[0]?.$match as Document));
        });
        if (got !== expected) mismatches.push(`seed ${seed} round ${round}: ${canonical(stages)}\n  fast  ${got}\n  mingo ${expected}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(served).toBeGreaterThan(SEEDS.length * 60 * 0.4);
  });
});

/** A collection with single, compound, sparse and partial indexes over random documents. */
function randomCollection(rng: Rng, n: number): Collection {
  const coll = new Collection('fast', `c${rng.int(1e9)}`);
  coll.createIndex(normalizeIndexSpec({ key: { a: 1 } }));
  coll.createIndex(normalizeIndexSpec({ key: { a: 1, b: 1 } }));
  coll.createIndex(normalizeIndexSpec({ key: { d: 1 }, sparse: true }));
  coll.createIndex(normalizeIndexSpec({ key: { e: 1 }, partialFilterExpression: { e: { $exists: true } } }));
  for (const doc of docsFor(rng, n)) coll.insert(doc);
  return coll;
}

describe('counts', () => {
  /** Equality-only filters, as countDocuments sends them, over indexed and unindexed fields. */
  function pinFilter(rng: Rng, kinds: { a: 'string'; b: 'number'; d: 'boolean'; e: 'objectId' }): Document {
    const pin = (field: keyof typeof kinds): unknown => {
      const value = () => (rng.chance(0.1) ? anyScalar(rng) : scalarOf(rng, kinds[field]));
      const roll = rng.next();
      if (roll < 0.6) return value();
      if (roll < 0.8) return { $eq: value() };
      return { $in: Array.from({ length: 1 + rng.int(3) }, value) };
    };
    const filter: Document = {};
    for (const field of rng.pick<Array<keyof typeof kinds>>([['a'], ['a', 'b'], ['b', 'a'], ['d'], ['e'], ['b'], ['a', 'd']])) filter[field] = pin(field);
    return filter;
  }

  it('index-size counts equal mingo’s count while documents are inserted, replaced and removed', () => {
    const mismatches: string[] = [];
    let fromIndex = 0;
    let refused = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(400 + seed);
      const coll = randomCollection(rng, 0);
      const kinds = { a: 'string', b: 'number', d: 'boolean', e: 'objectId' } as const;
      // Clean (scalar) values first; then arrays, Longs, invalid dates and embedded documents creep in.
      const valueOf = (field: keyof typeof kinds, dirty: boolean): unknown => (dirty && rng.chance(0.1) ? anyValue(rng) : rng.chance(0.1) ? null : scalarOf(rng, kinds[field]));
      let nextId = 0;
      for (let step = 0; step < 600; step++) {
        const dirty = step > 400;
        const make = (id: unknown): Document => {
          const doc: Document = { _id: id };
          for (const field of ['a', 'b', 'd', 'e'] as const) if (!rng.chance(0.1)) doc[field] = valueOf(field, dirty);
          return doc;
        };
        const stored = [...coll.docs.values()];
        const roll = rng.next();
        if (roll < 0.6 || stored.length === 0) coll.insert(make(nextId++));
        else if (roll < 0.85) {
          const old = rng.pick(stored);
          coll.replace(old, make(old._id));
        } else coll.remove(rng.pick(stored));
        if (step % 10 !== 0) continue;
        for (let q = 0; q < 15; q++) {
          const filter = pinFilter(rng, kinds);
          const query = compileFilter(filter);
          const expected = [...coll.docs.values()].filter((d) => query.test(d)).length;
          const exact = countFromIndex(coll, filter);
          if (exact === undefined) refused++;
          else fromIndex++;
          const got = countMatches(coll, filter);
          if (got !== expected || (exact !== undefined && exact !== expected)) {
            mismatches.push(`seed ${seed} step ${step}: ${canonical(filter)}: mingo ${expected}, count ${got}, index ${exact}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(fromIndex).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('any filter: countMatches equals mingo’s count over the collection', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(500 + seed);
      const coll = randomCollection(rng, 300);
      for (let q = 0; q < 60; q++) {
        const filter = randomFilter(rng);
        const expected = outcome(() => [...coll.docs.values()].filter((d) => compileFilter(filter).test(d)).length);
        expect(outcome(() => countMatches(coll, filter)), `seed ${seed} ${canonical(filter)}`).toBe(expected);
      }
    }
  });
});

describe('findDocs', () => {
  it('equals the former all-mingo cursor over the planner’s candidates (filter, sort, skip, limit, projection)', () => {
    const mismatches: string[] = [];
    for (const seed of SEEDS) {
      const rng = new Rng(600 + seed);
      const coll = randomCollection(rng, 300);
      for (let round = 0; round < 60; round++) {
        const filter = rng.chance(0.3) ? { a: scalarOf(rng, 'string') } : randomFilter(rng);
        const sort = rng.chance(0.7) ? randomSort(rng) : undefined;
        const skip = rng.chance(0.3) ? rng.int(20) : 0;
        const limit = rng.pick([0, 1, 10, 50]);
        const projection = rng.chance(0.3) ? { a: 1 } : undefined;
        const expected = outcome(() => {
          const cursor = compileFilter(filter).find<Document>(candidates(coll, filter), projection ?? {});
          if (sort) cursor.sort(sort);
          if (skip) cursor.skip(skip);
          if (limit) cursor.limit(limit);
          return cursor.all();
        });
        const got = outcome(() => findDocs(coll, { filter, sort, skip, limit, projection }));
        if (got !== expected) mismatches.push(`seed ${seed} round ${round}: ${canonical({ filter, sort, skip, limit, projection })}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe('sorted pages walked from an index in order', () => {
  /** mingo's page: the matches of `source` (in that order), stably sorted, then skip and limit. */
  function mingoPage(source: Iterable<Document>, q: { filter: Document; sort: Document; skip: number; limit: number }): Document[] {
    const cursor = compileFilter(q.filter).find<Document>(source).sort(q.sort);
    if (q.skip) cursor.skip(q.skip);
    if (q.limit) cursor.limit(q.limit);
    return cursor.all();
  }

  const sameDocs = (a: readonly Document[], b: readonly Document[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

  /** The walk test's collection: walkable indexes, plus a partial and a sparse one and plain equality indexes. */
  function walkCollection(rng: Rng): Collection {
    const coll = new Collection('fast', `w${rng.int(1e9)}`);
    const specs: Document[] = [
      { key: { a: 1, c: -1, _id: -1 } },
      { key: { a: 1, b: 1, c: 1, _id: 1 } },
      { key: { a: 1, 'n.x': -1, _id: 1 } },
      { key: { a: 1, u: 1 }, unique: true },
      { key: { a: 1, d: 1 } },
      { key: { b: 1, c: 1, _id: 1 }, partialFilterExpression: { d: true } },
      { key: { s: 1, c: -1, _id: -1 }, sparse: true },
    ];
    for (const spec of rng.shuffle(specs)) coll.createIndex(normalizeIndexSpec(spec));
    return coll;
  }

  /** The same documents and indexes, indexed afresh (the ordered views are then built from the current, maybe dirty, documents). */
  function rebuilt(coll: Collection): Collection {
    const copy = new Collection('fast', coll.name);
    for (const doc of coll.docs.values()) copy.insert(doc);
    for (const index of coll.indexes) copy.createIndex(index.spec);
    return copy;
  }

  /** Applies one random write; unique-key conflicts leave the collection unchanged, as they must. */
  function randomWrite(rng: Rng, coll: Collection, make: (id: number) => Document, nextId: () => number): void {
    const stored = [...coll.docs.values()];
    const roll = rng.next();
    try {
      if (roll < 0.6 || stored.length === 0) coll.insert(make(nextId()));
      else if (roll < 0.85) {
        const old = rng.pick(stored);
        coll.replace(old, { ...make(0), _id: old._id });
      } else coll.remove(rng.pick(stored));
    } catch (err) {
      if (!(err as Error).message.includes('E11000')) throw err;
    }
  }

  const WALK_STEPS = 750;
  const WALK_QUERIES = 10;

  it('gives mingo’s page whatever the candidates’ order, across inserts, replacements and removals', () => {
    const mismatches: string[] = [];
    let walked = 0;
    let refused = 0;
    let gaveUp = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(700 + seed);
      let coll = walkCollection(rng);
      const mixed = seed % 2 === 0;
      let id = 0;
      for (let step = 0; step < WALK_STEPS; step++) {
        randomWrite(rng, coll, (n) => walkDoc(rng, n, { mixed, dirty: step > WALK_STEPS * 0.7 }), () => id++);
        if (step % 15 !== 0) continue;
        if (rng.chance(0.2)) coll = rebuilt(coll);
        const natural = [...coll.docs.values()];
        const shuffled = rng.shuffle([...natural]);
        for (let q = 0; q < WALK_QUERIES; q++) {
          const query = walkQuery(rng);
          const label = `seed ${seed} step ${step}: ${canonical(query)}`;
          const expected = outcome(() => mingoPage(candidates(coll, query.filter), query));
          const got = outcome(() => findDocs(coll, query));
          if (got !== expected) mismatches.push(`${label}\n  findDocs ${got}\n  mingo    ${expected}`);
          let test: (doc: Document) => boolean;
          try {
            test = compileMatcher(query.filter);
          } catch {
            continue;
          }
          const page = walkSortedPage(coll, query.filter, query.sort, query.skip, query.limit, test, Infinity);
          if (!page) {
            refused++;
            continue;
          }
          walked++;
          const budget = candidateSet(coll, query.filter).size;
          if (!walkSortedPage(coll, query.filter, query.sort, query.skip, query.limit, test, budget)) gaveUp++;
          // The walked page must not depend on the candidates' order: compare with mingo over all documents, in two orders.
          for (const source of [natural, shuffled]) {
            const reference = mingoPage(source, query);
            if (!sameDocs(page, reference)) mismatches.push(`${label}\n  walk  ${canonical(page.map((d) => d._id))}\n  mingo ${canonical(reference.map((d) => d._id))}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Both outcomes, and the give-up, must be exercised for the comparison to mean something.
    const queries = SEEDS.length * (WALK_STEPS / 15) * WALK_QUERIES;
    expect(walked).toBeGreaterThan(queries * 0.3);
    expect(refused).toBeGreaterThan(queries * 0.1);
    expect(gaveUp).toBeGreaterThan(0);
  });

  it('keeps large buckets in mingo’s order through chunk splits and removals (forward, backward, ranges)', () => {
    const rng = new Rng(800);
    const coll = new Collection('fast', 'walk_big');
    coll.createIndex(normalizeIndexSpec({ key: { a: 1, b: -1, c: -1, _id: -1 } }));
    const make = (n: number): Document => ({ _id: n, a: rng.pick(['o1', 'o2']), b: rng.int(3), c: new Date(Date.UTC(2024, 0, 1) + rng.int(200) * 1000) });
    let id = 0;
    for (let i = 0; i < 3000; i++) coll.insert(make(id++));
    const check = (label: string): void => {
      const all = [...coll.docs.values()];
      for (const a of ['o1', 'o2']) {
        // The bucket itself is in index order.
        const bucket = coll.indexes[0]?.ordered()?.bucket(encodeKey(a));
        const inOrder = mingoPage(all, { filter: { a }, sort: { b: -1, c: -1, _id: -1 }, skip: 0, limit: 0 });
        expect(sameDocs(bucket?.docs() ?? [], inOrder), `${label}: bucket ${a}`).toBe(true);
        for (const q of [
          { filter: { a }, sort: { b: -1, c: -1, _id: -1 }, skip: 0, limit: 0 },
          { filter: { a }, sort: { b: 1, c: 1, _id: 1 }, skip: 0, limit: 0 },
          { filter: { a, b: 1 }, sort: { c: -1, _id: -1 }, skip: 0, limit: 0 },
          { filter: { a, b: 2 }, sort: { c: 1, _id: 1 }, skip: 7, limit: 600 },
          { filter: { a }, sort: { b: -1, c: -1, _id: -1 }, skip: 1000, limit: 50 },
        ]) {
          const page = walkSortedPage(coll, q.filter, q.sort, q.skip, q.limit, compileMatcher(q.filter), Infinity);
          expect(page, `${label} ${canonical(q)}`).toBeDefined();
          expect(sameDocs(page ?? [], mingoPage(all, q)), `${label} ${canonical(q)}`).toBe(true);
        }
      }
    };
    check('after 3000 inserts');
    for (let i = 0; i < 4000; i++) randomWrite(rng, coll, make, () => id++);
    check('after 4000 random writes');
    for (const doc of [...coll.docs.values()]) if (rng.chance(0.9)) coll.remove(doc);
    check('after removing 90%');
  });

  it('planner: leading fields pinned and a range on the next one read a stretch of the ordered view that holds every match', () => {
    const mismatches: string[] = [];
    let narrowed = 0;
    let queries = 0;
    const rangeOn = (rng: Rng, field: 'c' | 'd'): Document => {
      const operand = (): unknown =>
        field === 'd' ? rng.pick<unknown>([true, false, 0, 'x']) : rng.chance(0.8) ? new Date(Date.UTC(2024, 0, 1) + rng.int(5) * 86_400_000) : rng.pick<unknown>([3, 'm', true, null, new ObjectId('000000000000000000000001')]);
      const roll = rng.next();
      if (roll < 0.1) return { $exists: false };
      if (roll < 0.15) return { $eq: null };
      const cond: Document = {};
      if (rng.chance(0.6)) cond[rng.pick(['$gt', '$gte'])] = operand();
      if (rng.chance(0.6) || Object.keys(cond).length === 0) cond[rng.pick(['$lt', '$lte'])] = operand();
      if (rng.chance(0.15)) cond.$ne = operand();
      return cond;
    };
    for (const seed of SEEDS) {
      const rng = new Rng(900 + seed);
      let coll = walkCollection(rng);
      let id = 0;
      for (let step = 0; step < 600; step++) {
        randomWrite(rng, coll, (n) => walkDoc(rng, n, { mixed: seed % 2 === 0, dirty: step > 450 }), () => id++);
        if (step % 20 !== 0) continue;
        if (rng.chance(0.2)) coll = rebuilt(coll);
        const all = [...coll.docs.values()];
        for (let q = 0; q < 12; q++) {
          const a = rng.chance(0.2) ? { $in: [rng.pick(WALK_ORGS), rng.pick(WALK_ORGS)] } : rng.pick(WALK_ORGS);
          const shape = rng.int(4);
          const filter: Document =
            shape === 0
              ? { a, b: rng.chance(0.2) ? { $in: [rng.int(4), rng.int(4)] } : rng.int(4), c: rangeOn(rng, 'c') }
              : shape === 1
                ? { a, c: rangeOn(rng, 'c') }
                : shape === 2
                  ? { a, d: rangeOn(rng, 'd') }
                  : { a, b: rng.int(4) };
          const label = `seed ${seed} step ${step}: ${canonical(filter)}`;
          const planned = candidateSet(coll, filter);
          // The same matches, as a set (the candidates' order is the index's, not the collection's).
          const matchIds = (source: Iterable<Document>) => [...source].filter((d) => compileFilter(filter).test(d)).map((d) => canonical(d._id)).sort().join(' ');
          const expected = outcome(() => matchIds(all));
          const got = outcome(() => matchIds(planned.docs));
          if (got !== expected) mismatches.push(`${label}\n  planner ${got}\n  all     ${expected}`);
          queries++;
          const leading = all.filter((d) => (typeof a === 'string' ? d.a === a : (a.$in as unknown[]).includes(d.a))).length;
          if (planned.size < leading) narrowed++;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The ordered stretch must actually be used, and narrow, for the comparison to mean something.
    expect(narrowed).toBeGreaterThan(queries * 0.3);
  });

  it('walks only when the order cannot depend on the candidates (no ties) and the bucket is plain', () => {
    const coll = new Collection('fast', 'walk_rules');
    for (const spec of [
      { key: { org: 1, at: -1, _id: -1 } },
      { key: { org: 1, at: -1 } },
      { key: { org: 1, seq: 1 }, unique: true },
      { key: { org: 1, seq: -1, x: 1 } },
      { key: { team: 1, at: -1, _id: -1 }, partialFilterExpression: { team: { $exists: true } } },
    ]) {
      coll.createIndex(normalizeIndexSpec(spec));
    }
    for (let i = 0; i < 50; i++) coll.insert({ _id: i, org: i % 2 ? 'x' : 'y', team: 't', at: new Date(Date.UTC(2024, 0, 1) + (i % 5) * 1000), seq: i });
    const walks = (filter: Document, sort: Document): boolean => walkSortedPage(coll, filter, sort, 0, 5, compileMatcher(filter), Infinity) !== undefined;
    expect(walks({ org: 'x' }, { at: -1, _id: -1 })).toBe(true);
    expect(walks({ org: 'x' }, { at: 1, _id: 1 })).toBe(true);
    expect(walks({ org: { $eq: 'x' } }, { at: -1, _id: -1 })).toBe(true);
    expect(walks({ $and: [{ org: { $in: ['x'] } }], at: { $gte: new Date(0) } }, { at: -1, _id: -1 })).toBe(true);
    expect(walks({ org: 'x' }, { seq: -1 })).toBe(true); // unique index: no ties
    expect(walks({ org: 'nobody' }, { at: -1, _id: -1 })).toBe(true); // no bucket: nothing matches
    expect(walks({ org: 'x' }, { at: -1 })).toBe(false); // ties in `at` keep the candidates' order
    expect(walks({ org: 'x' }, { at: -1, _id: 1 })).toBe(false); // directions differ from the index
    expect(walks({ org: 'x' }, { seq: -1, x: 1 })).toBe(false); // not unique, no _id
    expect(walks({ org: { $in: ['x', 'y'] } }, { at: -1, _id: -1 })).toBe(false); // two buckets
    expect(walks({ team: 't' }, { at: -1, _id: -1 })).toBe(false); // partial index
    expect(walks({ org: 'x', at: { $not: { $gt: 1 } } }, { at: -1, _id: -1 })).toBe(false); // outside the fast grammar
    expect(walks({}, { at: -1, _id: -1 })).toBe(false);
    expect(walks({ org: 'x' }, { org: 1, at: -1, _id: -1 })).toBe(false); // the sort must start after the pinned fields
    coll.insert({ _id: 100, org: 'x', at: [new Date(0)], seq: 100 });
    expect(walks({ org: 'x' }, { at: -1, _id: -1 })).toBe(false); // an array in the bucket
    expect(walks({ org: 'y' }, { at: -1, _id: -1 })).toBe(true); // the other bucket is still plain
    coll.remove({ _id: 100 });
    expect(walks({ org: 'x' }, { at: -1, _id: -1 })).toBe(true);
    // Values mingo has no consistent order for.
    for (const at of [NaN, new Date(NaN)]) {
      coll.insert({ _id: 101, org: 'x', at, seq: 101 });
      expect(walks({ org: 'x' }, { at: -1, _id: -1 }), String(at)).toBe(false);
      coll.remove({ _id: 101 });
    }
    expect(walks({ org: 'x' }, { at: -1, _id: -1 })).toBe(true);
  });
});

describe('through the wire (mongod semantics)', () => {
  let t: TestDb;
  const stages = ['lead', 'mql', 'sql', 'customer'];
  const leads = Array.from({ length: 400 }, (_, i) => ({
    _id: `ld_${String(i).padStart(4, '0')}`,
    org_id: i % 5 === 0 ? 'other' : 'default',
    stage: stages[i % 4] as string,
    ...(i % 7 === 0 ? {} : { score: i % 101 }),
    ...(i % 11 === 0 ? { deal_value: null } : { deal_value: (i % 13) * 10 }),
    created_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 60_000),
  }));

  type Lead = (typeof leads)[number];
  const leadsOf = () => t.db.collection<Lead>('leads');

  beforeAll(async () => {
    t = await openTestDb('fastpaths');
    const coll = leadsOf();
    await coll.createIndex({ org_id: 1, stage: 1 });
    await coll.createIndex({ org_id: 1, created_at: -1, _id: -1 });
    await coll.insertMany(leads);
    // A multikey value in an indexed field: counts must still be exact.
    await t.db.collection('tagged').createIndex({ tag: 1 });
    await t.db.collection('tagged').insertMany([{ tag: 'a' }, { tag: ['a', 'b'] }, { tag: 'b' }, { tag: [['a']] }, { tag: null }, {}]);
  });
  afterAll(async () => {
    await t.dispose();
  });

  const matching = (org: string, stage?: string) => leads.filter((l) => l.org_id === org && (stage === undefined || l.stage === stage));

  it('countDocuments and count (with skip/limit) count exactly, multikey fields included', async () => {
    const coll = leadsOf();
    expect(await coll.countDocuments({ org_id: 'default' })).toBe(matching('default').length);
    expect(await coll.countDocuments({ org_id: 'default', stage: 'mql' })).toBe(matching('default', 'mql').length);
    expect(await coll.countDocuments({ org_id: 'default', stage: { $in: ['mql', 'sql'] } })).toBe(matching('default', 'mql').length + matching('default', 'sql').length);
    expect(await coll.countDocuments({ org_id: 'nobody' })).toBe(0);
    expect(await coll.countDocuments({ org_id: 'default' }, { skip: 300, limit: 50 })).toBe(Math.max(0, Math.min(matching('default').length - 300, 50)));
    expect(await coll.countDocuments({ org_id: 'default', score: { $gte: 70, $lte: 90 } })).toBe(
      matching('default').filter((l) => l.score !== undefined && l.score >= 70 && l.score <= 90).length,
    );
    const count = await t.db.command({ count: 'leads', query: { org_id: 'other', stage: 'lead' }, skip: 2, limit: 5 });
    expect(count.n).toBe(Math.min(5, Math.max(0, matching('other', 'lead').length - 2)));
    const tagged = t.db.collection('tagged');
    expect(await tagged.countDocuments({ tag: 'a' })).toBe(2);
    expect(await tagged.countDocuments({ tag: { $in: ['a', 'b'] } })).toBe(3);
    expect(await tagged.countDocuments({ tag: null })).toBe(2);
  });

  it('$match + $group computes per-stage counts, sums, averages and extremes, skipping missing and null', async () => {
    const rows = await leadsOf()
      .aggregate([
        { $match: { org_id: 'default' } },
        { $group: { _id: '$stage', n: { $sum: 1 }, score: { $sum: '$score' }, value: { $sum: '$deal_value' }, avg: { $avg: '$score' }, lo: { $min: '$score' }, hi: { $max: '$deal_value' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    const expected = [...stages].sort().map((stage) => {
      const group = matching('default', stage);
      const scores = group.flatMap((l) => (l.score === undefined ? [] : [l.score]));
      const values = group.flatMap((l) => (typeof l.deal_value === 'number' ? [l.deal_value] : []));
      return {
        _id: stage,
        n: group.length,
        score: scores.reduce((a, b) => a + b, 0),
        value: values.reduce((a, b) => a + b, 0),
        avg: scores.reduce((a, b) => a + b, 0) / scores.length,
        lo: Math.min(...scores),
        hi: Math.max(...values),
      };
    });
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      const want = expected[i] as Document;
      expect(Object.keys(row)).toEqual(['_id', 'n', 'score', 'value', 'avg', 'lo', 'hi']);
      expect({ ...row, avg: undefined }).toEqual({ ...want, avg: undefined });
      expect(row.avg).toBeCloseTo(want.avg as number, 10);
    });
    const none = await leadsOf().aggregate([{ $match: { org_id: 'nobody' } }, { $group: { _id: null, n: { $sum: 1 } } }]).toArray();
    expect(none).toEqual([]);
  });

  it('find with sort, skip and limit returns the page in order (newest first, _id breaking ties)', async () => {
    const newest = (a: (typeof leads)[number], b: (typeof leads)[number]) => b.created_at.getTime() - a.created_at.getTime() || (a._id < b._id ? 1 : -1);
    const coll = leadsOf();
    const page = await coll.find({ org_id: 'default' }).sort({ created_at: -1, _id: -1 }).skip(10).limit(25).toArray();
    expect(page.map((l) => l._id)).toEqual(matching('default').sort(newest).slice(10, 35).map((l) => l._id));
    const byScore = await coll.find({ org_id: 'default', stage: 'sql' }).sort({ score: 1, _id: 1 }).limit(5).toArray();
    const sql = matching('default', 'sql').sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || (a._id < b._id ? -1 : 1));
    expect(byScore.map((l) => l._id)).toEqual(sql.slice(0, 5).map((l) => l._id));
  });

  it('sorted pages follow inserts, updates and deletes (both directions, past the end, findOneAndUpdate)', async () => {
    type Row = { _id: string; org_id: string; created_at: Date; n: number };
    const coll = t.db.collection<Row>('walked');
    await coll.createIndex({ org_id: 1, created_at: -1, _id: -1 });
    const model = new Map<string, Row>();
    const at = (k: number) => new Date(Date.UTC(2024, 0, 1) + k * 60_000);
    const rows = Array.from({ length: 300 }, (_, i) => ({ _id: `r${String(i).padStart(3, '0')}`, org_id: i % 4 === 0 ? 'b' : 'a', created_at: at(Math.floor(i / 3)), n: i }));
    await coll.insertMany(rows.map((r) => ({ ...r })));
    for (const r of rows) model.set(r._id, r);
    const newest = (x: Row, y: Row) => y.created_at.getTime() - x.created_at.getTime() || (x._id < y._id ? 1 : -1);
    const expectPages = async (label: string) => {
      const org = [...model.values()].filter((r) => r.org_id === 'a').sort(newest);
      const ids = (list: Row[]) => list.map((r) => r._id);
      expect(ids(await coll.find({ org_id: 'a' }).sort({ created_at: -1, _id: -1 }).limit(20).toArray()), label).toEqual(ids(org.slice(0, 20)));
      expect(ids(await coll.find({ org_id: 'a' }).sort({ created_at: 1, _id: 1 }).skip(30).limit(15).toArray()), label).toEqual(ids([...org].reverse().slice(30, 45)));
      expect(ids(await coll.find({ org_id: 'a', n: { $gte: 100 } }).sort({ created_at: -1, _id: -1 }).skip(5).toArray()), label).toEqual(ids(org.filter((r) => r.n >= 100).slice(5)));
      expect(await coll.find({ org_id: 'a' }).sort({ created_at: -1, _id: -1 }).skip(10_000).limit(5).toArray(), label).toEqual([]);
    };
    await expectPages('after insert');
    await coll.updateMany({ org_id: 'a', n: { $lt: 60 } }, { $set: { created_at: at(500) } });
    for (const r of model.values()) if (r.org_id === 'a' && r.n < 60) r.created_at = at(500);
    await coll.deleteMany({ org_id: 'a', n: { $gte: 200, $lt: 260 } });
    for (const [id, r] of model) if (r.org_id === 'a' && r.n >= 200 && r.n < 260) model.delete(id);
    await expectPages('after updates and deletes');
    // Claim the newest lead three times: each claim moves it to the back.
    for (let k = 0; k < 3; k++) {
      const claimed = await coll.findOneAndUpdate({ org_id: 'a' }, { $set: { created_at: at(-1 - k) } }, { sort: { created_at: -1, _id: -1 }, returnDocument: 'before' });
      const expected = [...model.values()].filter((r) => r.org_id === 'a').sort(newest)[0] as Row;
      expect(claimed?._id).toBe(expected._id);
      expected.created_at = at(-1 - k);
    }
    await expectPages('after findOneAndUpdate');
  });
});
