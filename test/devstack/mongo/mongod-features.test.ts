/**
 * Features the business API leans on, each as mongod documents it (issue 18): updates mongod
 * accepts (`_id` set to its own value, `$setOnInsert` of `_id`, several positional paths under one
 * array, `$pull` with `$or`), `$all`, the `$elemMatch`/`$slice` projections, `hint`, collation,
 * `$text` over a text index and `explain`. Through the driver only, so they hold for mongod too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoServerError, type Collection, type Document } from '../../helpers/mongo-driver.js';
import { openTestDb, type TestDb } from './support.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('features');
});
afterAll(async () => {
  await t.dispose();
});

type AnyDoc = Document & { _id?: number | string };

function coll(name: string): Collection<AnyDoc> {
  return t.db.collection<AnyDoc>(name);
}

/** The rejection `op` must fail with. */
async function failure(op: () => Promise<unknown>): Promise<MongoServerError> {
  const err = await op().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

const ids = (docs: AnyDoc[]): unknown[] => docs.map((d) => d._id);

/** Every stage of an explain plan tree, depth first. */
function stages(plan: unknown): Document[] {
  if (plan === null || typeof plan !== 'object') return [];
  const node = plan as Document;
  const own = typeof node.stage === 'string' ? [node] : [];
  // mongod's slot-based engine nests the plan under `queryPlan`.
  const children = [node.queryPlan, node.inputStage, ...((node.inputStages as unknown[] | undefined) ?? [])];
  return [...own, ...children.flatMap(stages)];
}

describe('updates mongod accepts', () => {
  it('$set of _id to its current value leaves _id alone and applies the rest; another value is ImmutableField (66)', async () => {
    const c = coll('id_same');
    await c.insertOne({ _id: 'lead-1', name: 'Ana' });
    const same = await c.updateOne({ _id: 'lead-1' }, { $set: { _id: 'lead-1', name: 'Ana María' } });
    expect([same.matchedCount, same.modifiedCount]).toEqual([1, 1]);
    const onlyId = await c.updateOne({ _id: 'lead-1' }, { $set: { _id: 'lead-1' } });
    expect([onlyId.matchedCount, onlyId.modifiedCount]).toEqual([1, 0]);
    const err = await failure(() => c.updateOne({ _id: 'lead-1' }, { $set: { _id: 'lead-2' } }));
    expect(err.code).toBe(66);
    expect(await c.find({}).toArray()).toEqual([{ _id: 'lead-1', name: 'Ana María' }]);
  });

  it('$setOnInsert of _id: the upsert inserts that _id, one equal to the filter’s is fine, a different one is 66, and an update ignores it', async () => {
    const c = coll('id_on_insert');
    const inserted = await c.updateOne({ phone: '+57300' }, { $setOnInsert: { _id: 'contact-1' }, $set: { seen: 1 } }, { upsert: true });
    expect(inserted.upsertedId).toBe('contact-1');
    const sameAsFilter = await c.updateOne({ _id: 'contact-2' }, { $setOnInsert: { _id: 'contact-2', v: 1 } }, { upsert: true });
    expect(sameAsFilter.upsertedId).toBe('contact-2');
    expect((await failure(() => c.updateOne({ _id: 'contact-3' }, { $setOnInsert: { _id: 'other' } }, { upsert: true }))).code).toBe(66);
    const updated = await c.updateOne({ phone: '+57300' }, { $setOnInsert: { _id: 'ignored' }, $set: { seen: 2 } }, { upsert: true });
    expect([updated.matchedCount, updated.upsertedCount]).toEqual([1, 0]);
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'contact-1', phone: '+57300', seen: 2 },
      { _id: 'contact-2', v: 1 },
    ]);
  });

  it('several paths under one array element (children.$.x, children.$.y, $[] with $[id]) apply together; children with children.$.x still conflicts (40)', async () => {
    const c = coll('positional');
    await c.insertOne({ _id: 1, children: [{ x: 1, n: 'p', hist: [] }, { x: 2, n: 'q', hist: [] }] });
    await c.updateOne({ _id: 1, 'children.x': 2 }, { $set: { 'children.$.x': 5, 'children.$.n': 'z' }, $push: { 'children.$.hist': 'moved' } } as Document);
    expect((await c.findOne({ _id: 1 }))?.children).toEqual([{ x: 1, n: 'p', hist: [] }, { x: 5, n: 'z', hist: ['moved'] }]);
    // Array filters see the elements as they were before the update (x: 5 matches although $[] adds 1).
    await c.updateOne({ _id: 1 }, { $inc: { 'children.$[].x': 1 }, $set: { 'children.$[big].n': 'big' } }, { arrayFilters: [{ 'big.x': { $gte: 5 } }] });
    expect((await c.findOne({ _id: 1 }))?.children).toEqual([{ x: 2, n: 'p', hist: [] }, { x: 6, n: 'big', hist: ['moved'] }]);
    // A path and a path inside it conflict on mongod too, positional or not.
    expect((await failure(() => c.updateOne({ _id: 1, 'children.x': 2 }, { $set: { children: [], 'children.$.x': 1 } }))).code).toBe(40);
    expect((await failure(() => c.updateOne({ _id: 1 }, { $set: { children: [], 'children.0.x': 1 } }))).code).toBe(40);
    // `$` needs the query to have matched an element.
    expect((await failure(() => c.updateOne({ _id: 1 }, { $set: { 'children.$.x': 1 } }))).code).toBe(2);
  });

  it('$pull with $or / $and removes the array elements matching as documents, and leaves scalars', async () => {
    const c = coll('pull_or');
    await c.insertOne({ _id: 1, items: [{ k: 'a', v: 5 }, { k: 'b', v: 10 }, { k: 'c', v: 1 }, 7] });
    const res = await c.updateOne({ _id: 1 }, { $pull: { items: { $or: [{ k: 'a' }, { v: { $gt: 8 } }] } } as Document });
    expect(res.modifiedCount).toBe(1);
    expect((await c.findOne({ _id: 1 }))?.items).toEqual([{ k: 'c', v: 1 }, 7]);
    await c.updateOne({ _id: 1 }, { $pull: { items: { $and: [{ k: 'c' }, { v: 1 }] } } as Document });
    expect((await c.findOne({ _id: 1 }))?.items).toEqual([7]);
  });
});

describe('queries and projections', () => {
  it('$all is an $and of equalities: a scalar field matches, nested arrays match whole, $elemMatch items, [] matches nothing', async () => {
    const c = coll('all');
    await c.insertMany([
      { _id: 1, tags: ['vip', 'bogota', 'new'], name: 'Ana', items: [{ k: 'a', v: 5 }, { k: 'b', v: 10 }] },
      { _id: 2, tags: 'vip', name: 'Bea', items: [{ k: 'a', v: 1 }] },
      { _id: 3, tags: [['vip', 'bogota']], name: 'Ana' },
    ]);
    expect(ids(await c.find({ tags: { $all: ['vip', 'bogota'] } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ tags: { $all: ['vip'] } }).toArray())).toEqual([1, 2]);
    expect(ids(await c.find({ name: { $all: ['Ana'] } }).toArray())).toEqual([1, 3]);
    expect(ids(await c.find({ tags: { $all: [['vip', 'bogota']] } }).toArray())).toEqual([3]);
    expect(ids(await c.find({ items: { $all: [{ $elemMatch: { k: 'a' } }, { $elemMatch: { v: { $gt: 5 } } }] } }).toArray())).toEqual([1]);
    expect(await c.find({ tags: { $all: [] } }).toArray()).toEqual([]);
    expect(await c.countDocuments({ name: { $all: ['Ana'] } })).toBe(2);
  });

  it('$elemMatch projection takes operators on scalars and documents, returns the first match only, and alone acts as an inclusion; a.$ keeps the matched element', async () => {
    const c = coll('elem_proj');
    await c.insertMany([
      { _id: 1, name: 'Ana', scores: [3, 8, 9], items: [{ k: 'a', v: 5 }, { k: 'b', v: 10 }] },
      { _id: 2, name: 'Bea', scores: [1], items: [{ k: 'c', v: 1 }] },
    ]);
    const scalars = await c.find({}, { projection: { scores: { $elemMatch: { $gte: 8 } } } }).sort({ _id: 1 }).toArray();
    expect(scalars).toEqual([{ _id: 1, scores: [8] }, { _id: 2 }]);
    const docs = await c.find({}, { projection: { items: { $elemMatch: { v: { $gte: 5 }, k: { $in: ['a', 'b'] } } }, name: 1 } }).sort({ _id: 1 }).toArray();
    expect(docs).toEqual([{ _id: 1, name: 'Ana', items: [{ k: 'a', v: 5 }] }, { _id: 2, name: 'Bea' }]);
    // The positional projection keeps the element the query matched.
    expect(await c.findOne({ 'items.v': { $gt: 5 } }, { projection: { 'items.$': 1 } })).toEqual({ _id: 1, items: [{ k: 'b', v: 10 }] });
    expect(await c.findOneAndUpdate({ _id: 1, 'items.k': 'b' }, { $set: { 'items.$.seen': true } }, { projection: { 'items.$': 1 }, returnDocument: 'after' })).toEqual({
      _id: 1, items: [{ k: 'b', v: 10, seen: true }],
    });
  });

  it('$slice projection alone keeps the other fields; it combines with exclusions and inclusions; n, -n and [skip, limit]', async () => {
    const c = coll('slice_proj');
    await c.insertOne({ _id: 1, name: 'Ana', notes: ['n1', 'n2', 'n3', 'n4', 'n5'], meta: { tags: ['a', 'b', 'c'], src: 'wa' } });
    expect(await c.findOne({ _id: 1 }, { projection: { notes: { $slice: 2 } } })).toEqual({
      _id: 1, name: 'Ana', notes: ['n1', 'n2'], meta: { tags: ['a', 'b', 'c'], src: 'wa' },
    });
    expect(await c.findOne({ _id: 1 }, { projection: { notes: { $slice: -2 }, meta: 0 } })).toEqual({ _id: 1, name: 'Ana', notes: ['n4', 'n5'] });
    expect(await c.findOne({ _id: 1 }, { projection: { notes: { $slice: [1, 2] }, name: 1 } })).toEqual({ _id: 1, name: 'Ana', notes: ['n2', 'n3'] });
    expect(await c.findOne({ _id: 1 }, { projection: { notes: { $slice: [-2, 5] }, _id: 0, name: 1 } })).toEqual({ name: 'Ana', notes: ['n4', 'n5'] });
    expect(await c.findOne({ _id: 1 }, { projection: { 'meta.tags': { $slice: 1 }, name: 0 } })).toEqual({
      _id: 1, notes: ['n1', 'n2', 'n3', 'n4', 'n5'], meta: { tags: ['a'], src: 'wa' },
    });
    // The stored document is untouched.
    expect((await c.findOne({ _id: 1 }))?.notes).toHaveLength(5);
  });
});

describe('hint', () => {
  it('by name or key pattern; an unknown index is BadValue (2); $natural: -1 reads backwards; a sparse index holds only its documents; no sort gives index order', async () => {
    const c = coll('hint');
    await c.insertMany([{ _id: 1, n: 'c' }, { _id: 2 }, { _id: 3, n: 'a' }, { _id: 4, n: 'b' }]);
    await c.createIndex({ n: 1 }, { name: 'n_sparse', sparse: true });
    expect(ids(await c.find({}).hint('n_sparse').toArray())).toEqual([3, 4, 1]);
    expect(ids(await c.find({}).hint({ n: 1 }).toArray())).toEqual([3, 4, 1]);
    expect(await c.countDocuments({}, { hint: 'n_sparse' })).toBe(3);
    expect(ids(await c.find({}).hint({ $natural: -1 }).toArray())).toEqual([4, 3, 2, 1]);
    expect(ids(await c.find({}).sort({ _id: -1 }).hint({ _id: 1 }).toArray())).toEqual([4, 3, 2, 1]);
    const err = await failure(() => c.find({}).hint('no_such_index').toArray());
    expect(err.code).toBe(2);
    expect(err.message).toContain('hint provided does not correspond to an existing index');
    expect((await failure(() => c.find({}).hint({ missing: 1 }).toArray())).code).toBe(2);
    expect((await failure(() => c.countDocuments({}, { hint: 'nope' }))).code).toBe(2);
  });
});

describe('collation', () => {
  it('strength 2 makes find, count, distinct and sort case-insensitive; strength 1 also ignores accents; none compares bytes', async () => {
    const c = coll('collation');
    await c.insertMany([
      { _id: 1, city: 'Bogotá' }, { _id: 2, city: 'bogota' }, { _id: 3, city: 'BOGOTÁ' }, { _id: 4, city: 'Cali' }, { _id: 5, city: 'armenia' },
    ]);
    const ci = { locale: 'es', strength: 2 };
    expect(ids(await c.find({ city: 'bogotá' }).toArray())).toEqual([]);
    expect(ids(await c.find({ city: 'bogotá' }).collation(ci).toArray())).toEqual([1, 3]);
    expect(ids(await c.find({ city: 'bogota' }).collation({ locale: 'es', strength: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await c.find({ city: { $in: ['CALI', 'ARMENIA'] } }).collation(ci).toArray())).toEqual([4, 5]);
    expect(ids(await c.find({ city: { $gte: 'b', $lt: 'c' } }).collation(ci).toArray())).toEqual([1, 2, 3]);
    expect(await c.countDocuments({ city: 'BOGOTA' }, { collation: ci })).toBe(1);
    expect(await c.countDocuments({ city: 'BOGOTA' }, { collation: { locale: 'es', strength: 1 } })).toBe(3);
    expect(await c.countDocuments({ city: 'BOGOTA' })).toBe(0);
    // Byte order puts every capital first; the collation sorts a-z ignoring case.
    expect(ids(await c.find({}).sort({ city: 1, _id: 1 }).toArray())).toEqual([3, 1, 4, 5, 2]);
    expect(ids(await c.find({}).sort({ city: 1, _id: 1 }).collation({ locale: 'es', strength: 1 }).toArray())).toEqual([5, 1, 2, 3, 4]);
    // distinct compares under the collation too: Bogotá and BOGOTÁ are one value at strength 2.
    expect(await c.distinct('city', { city: /^b/i }, { collation: ci })).toHaveLength(2);
    expect(await c.distinct('city', { city: /^b/i })).toHaveLength(3);
    expect((await c.updateMany({ city: 'CALI' }, { $set: { valle: true } }, { collation: ci })).modifiedCount).toBe(1);
    expect((await c.deleteMany({ city: 'ARMENIA' }, { collation: ci })).deletedCount).toBe(1);
  });

  it('a unique index with strength 2 refuses case variants, and queries with its collation are served by it', async () => {
    const c = coll('collated_index');
    await c.createIndex({ email: 1 }, { unique: true, name: 'email_ci', collation: { locale: 'en', strength: 2 } });
    await c.insertOne({ _id: 1, email: 'Ana@Example.com' });
    expect((await failure(() => c.insertOne({ _id: 2, email: 'ana@example.COM' }))).code).toBe(11000);
    await c.insertOne({ _id: 3, email: 'bea@example.com' });
    expect(ids(await c.find({ email: 'ANA@EXAMPLE.COM' }).collation({ locale: 'en', strength: 2 }).toArray())).toEqual([1]);
    expect(ids(await c.find({ email: 'ANA@EXAMPLE.COM' }).toArray())).toEqual([]);
    expect(ids(await c.find({ email: 'Ana@Example.com' }).toArray())).toEqual([1]);
    const plan = await c.find({ email: 'ana@example.com' }).collation({ locale: 'en', strength: 2 }).explain('queryPlanner');
    expect(stages(plan.queryPlanner.winningPlan)).toContainEqual(expect.objectContaining({ stage: 'IXSCAN', indexName: 'email_ci' }));
  });
});

describe('collection default collation', () => {
  it('a collection created with a collation applies it to reads, writes and new indexes; {locale: "simple"} opts out', async () => {
    await t.db.createCollection('default_ci', { collation: { locale: 'es', strength: 2 } });
    const c = coll('default_ci');
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertOne({ _id: 1, code: 'ABC', n: 0 });
    expect((await failure(() => c.insertOne({ _id: 2, code: 'abc' }))).code).toBe(11000);
    await c.insertOne({ _id: 3, code: 'xyz', n: 0 });
    expect(ids(await c.find({ code: 'abc' }).toArray())).toEqual([1]);
    expect(await c.countDocuments({ code: 'XYZ' })).toBe(1);
    expect(ids(await c.find({ code: 'abc' }).collation({ locale: 'simple' }).toArray())).toEqual([]);
    expect((await c.updateOne({ code: 'abc' }, { $inc: { n: 1 } })).modifiedCount).toBe(1);
    expect((await c.findOneAndUpdate({ code: 'XYZ' }, { $inc: { n: 1 } }, { returnDocument: 'after' }))?.n).toBe(1);
    const indexes = await c.listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'code_1')?.collation).toMatchObject({ locale: 'es', strength: 2 });
  });
});

describe('$text', () => {
  it('without a text index fails with IndexNotFound (27) "text index required for $text query"', async () => {
    const c = coll('no_text');
    await c.insertOne({ _id: 1, title: 'hola' });
    const err = await failure(() => c.find({ $text: { $search: 'hola' } }).toArray());
    expect(err.code).toBe(27);
    expect(err.message).toContain('text index required for $text query');
  });

  it('ORs terms, ANDs phrases, excludes negations, ignores case and accents, and scores with weights', async () => {
    const c = coll('text');
    await c.createIndex({ title: 'text', body: 'text' }, { weights: { title: 10 }, default_language: 'none', name: 'search' });
    await c.insertMany([
      { _id: 1, title: 'Café en Bogotá', body: 'pedido de cafe grande' },
      { _id: 2, title: 'Pedido urgente', body: 'cliente pide café y pan' },
      { _id: 3, title: 'Pan', body: 'pan de bono caliente' },
      { _id: 4, title: 'Sin relación', body: 'nada que ver' },
    ]);
    const search = (s: string, extra: Document = {}) => c.find({ $text: { $search: s, ...extra } }).sort({ _id: 1 }).toArray().then(ids);
    expect(await search('cafe')).toEqual([1, 2]);
    expect(await search('CAFÉ pan')).toEqual([1, 2, 3]);
    expect(await search('cafe -urgente')).toEqual([1]);
    expect(await search('"pide café"')).toEqual([2]);
    expect(await search('pan -"de bono"')).toEqual([2]);
    expect(await search('café', { $diacriticSensitive: true })).toEqual([1, 2]);
    expect(await search('Café', { $caseSensitive: true })).toEqual([1]);
    expect(await search('-cafe')).toEqual([]);
    expect(await c.countDocuments({ $text: { $search: 'pan' } })).toBe(2);

    const scored = await c
      .find({ $text: { $search: 'pedido' } }, { projection: { score: { $meta: 'textScore' }, title: 1 } })
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    // Title (weight 10) "Pedido urgente": 10 × (0.5 × 1/2 + 0.5) = 7.5; body "pedido de cafe grande": 0.5 × 1/4 + 0.5 = 0.625.
    expect(scored.map((d) => d._id)).toEqual([2, 1]);
    expect(scored[0]?.score).toBeCloseTo(7.5, 6);
    expect(scored[1]?.score).toBeCloseTo(0.625, 6);
    expect(scored[0]).toEqual({ _id: 2, title: 'Pedido urgente', score: scored[0]?.score });
  });

  it('works as the first $match of an aggregation, with {$meta: "textScore"} in $sort and $project', async () => {
    const c = coll('text_agg');
    await c.createIndex({ note: 'text' }, { default_language: 'none' });
    await c.insertMany([
      { _id: 1, org: 'a', note: 'lead interesado en plan anual' },
      { _id: 2, org: 'a', note: 'plan plan plan' },
      { _id: 3, org: 'b', note: 'plan' },
    ]);
    const out = await c
      .aggregate([
        { $match: { $text: { $search: 'plan' }, org: 'a' } },
        { $sort: { score: { $meta: 'textScore' } } },
        { $project: { _id: 1, score: { $meta: 'textScore' } } },
      ])
      .toArray();
    expect(out.map((d) => d._id)).toEqual([2, 1]);
    expect((out[0]?.score as number) > (out[1]?.score as number)).toBe(true);
    expect(Object.keys(out[0] ?? {})).toEqual(['_id', 'score']);
  });
});

describe('explain', () => {
  it('names the index the planner used (IXSCAN with indexName and keyPattern) or COLLSCAN, for find, count and aggregate', async () => {
    const c = coll('explain');
    await c.createIndex({ org_id: 1, created_at: -1 }, { name: 'org_created' });
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, org_id: i % 2 ? 'a' : 'b', created_at: new Date(i * 1000), n: i })));

    const indexed = await c.find({ org_id: 'a' }).sort({ created_at: -1 }).limit(3).explain('executionStats');
    const ix = stages(indexed.queryPlanner.winningPlan).find((s) => s.stage === 'IXSCAN');
    expect(ix).toMatchObject({ indexName: 'org_created', keyPattern: { org_id: 1, created_at: -1 } });
    expect(indexed.executionStats.nReturned).toBe(3);

    const scan = await c.find({ n: { $gt: 15 } }).explain('queryPlanner');
    const names = stages(scan.queryPlanner.winningPlan).map((s) => s.stage);
    expect(names).toContain('COLLSCAN');
    expect(names).not.toContain('IXSCAN');

    const hinted = await c.find({ n: { $gt: 15 } }).hint('org_created').explain('queryPlanner');
    expect(stages(hinted.queryPlanner.winningPlan)).toContainEqual(expect.objectContaining({ stage: 'IXSCAN', indexName: 'org_created' }));

    const count = await t.db.command({ explain: { count: 'explain', query: { org_id: 'b' } }, verbosity: 'queryPlanner' });
    const countStages = stages(count.queryPlanner.winningPlan);
    expect(countStages[0]?.stage).toBe('COUNT');
    expect(countStages.some((s) => (s.stage === 'IXSCAN' || s.stage === 'COUNT_SCAN') && s.indexName === 'org_created')).toBe(true);

    const agg = await c.aggregate([{ $match: { org_id: 'a' } }, { $group: { _id: null, n: { $sum: 1 } } }]).explain('queryPlanner');
    const planner = (agg.queryPlanner ?? (agg.stages as Document[])[0]?.$cursor?.queryPlanner) as Document;
    expect(stages(planner.winningPlan)).toContainEqual(expect.objectContaining({ stage: 'IXSCAN', indexName: 'org_created' }));
  });

  it('serves a range or $exists on the field of a sparse index from the index (the outbox sweep), and still answers exactly', async () => {
    const c = coll('sparse_range');
    await c.createIndex({ pending_at: 1 }, { sparse: true, name: 'pending' });
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, n: i, ...(i % 10 === 0 ? { pending_at: new Date(i * 1000) } : {}), ...(i === 7 ? { pending_at: null } : {}) })));

    const range = c.find({ pending_at: { $lte: new Date(25_000) } });
    expect(stages((await range.explain('queryPlanner')).queryPlanner.winningPlan)).toContainEqual(expect.objectContaining({ stage: 'IXSCAN', indexName: 'pending' }));
    expect(ids(await c.find({ pending_at: { $lte: new Date(25_000) } }).sort({ _id: 1 }).toArray())).toEqual([0, 10, 20]);
    expect(ids(await c.find({ pending_at: { $exists: true } }).sort({ _id: 1 }).toArray())).toEqual([0, 7, 10, 20, 30, 40]);
    expect(await c.countDocuments({ pending_at: { $gt: new Date(0) }, n: { $gte: 20 } })).toBe(3);

    // A missing field can match these: they must not be served by the sparse index.
    for (const filter of [{ pending_at: { $lte: null } }, { pending_at: { $exists: false } }, { pending_at: { $ne: new Date(0) } }]) {
      expect(stages((await c.find(filter).explain('queryPlanner')).queryPlanner.winningPlan).map((s) => s.stage)).toContain('COLLSCAN');
    }
    expect(await c.countDocuments({ pending_at: { $ne: new Date(0) } })).toBe(49);
  });
});
