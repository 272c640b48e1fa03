/**
 * CRUD conformance through the official driver: assertions hold for a real mongod too
 * (run with MONGODB_URI=... to check), so they pin the embedded server to mongod behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary, Decimal128, Long, MongoServerError, ObjectId, type Collection, type Document } from '../../helpers/mongo-driver.js';
import { openTestDb, type TestDb } from './support.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('crud');
});
afterAll(async () => {
  await t.dispose();
});

/** Schema-less documents whose `_id` may be any BSON value (the tests use numbers and strings). */
type AnyDoc = Document & { _id?: number | string | ObjectId };

function coll(name: string): Collection<AnyDoc> {
  return t.db.collection<AnyDoc>(name);
}

describe('insert and find', () => {
  it('insertOne assigns an ObjectId _id and findOne by that ObjectId returns the stored document', async () => {
    const c = coll('basic');
    const { insertedId } = await c.insertOne({ name: 'Ana', phone: '+5491100000001' });
    expect(insertedId).toBeInstanceOf(ObjectId);
    const found = await c.findOne({ _id: insertedId });
    expect(found).toEqual({ _id: insertedId, name: 'Ana', phone: '+5491100000001' });
    expect(Object.keys(found ?? {})[0]).toBe('_id');
  });

  it('BSON types round-trip: ObjectId, Date, Long, Decimal128, Binary, nested docs and arrays', async () => {
    const c = coll('types');
    const doc = {
      _id: new ObjectId(),
      at: new Date('2024-05-01T12:00:00.000Z'),
      big: Long.fromString('9007199254740993'),
      price: Decimal128.fromString('19.99'),
      blob: new Binary(Buffer.from([1, 2, 3])),
      nested: { a: [1, 'two', { three: 3 }], ref: new ObjectId() },
      flag: false,
      nothing: null,
    };
    await c.insertOne(doc);
    const back = await c.findOne({ _id: doc._id }, { promoteLongs: false });
    expect(back?.at).toEqual(doc.at);
    expect(back?.big).toEqual(doc.big);
    expect(String(back?.price)).toBe('19.99');
    expect(Buffer.from((back?.blob as Binary).buffer)).toEqual(Buffer.from([1, 2, 3]));
    expect(back?.nested).toEqual(doc.nested);
    expect(back?.flag).toBe(false);
    expect(back?.nothing).toBeNull();
  });

  it('stored documents are copies: mutating the inserted object does not change the stored one', async () => {
    const c = coll('copies');
    const doc = { _id: 1, tags: ['a'] };
    await c.insertOne(doc);
    doc.tags.push('b');
    expect((await c.findOne({ _id: 1 }))?.tags).toEqual(['a']);
  });

  it('find supports filter operators, sort by Date, skip, limit and projection', async () => {
    const c = coll('query');
    const base = Date.UTC(2024, 0, 1);
    await c.insertMany(
      Array.from({ length: 10 }, (_, i) => ({ _id: i, n: i, at: new Date(base + (9 - i) * 60_000), kind: i % 2 ? 'odd' : 'even' })),
    );
    const byDate = await c.find({ kind: 'even' }).sort({ at: 1 }).toArray();
    expect(byDate.map((d) => d._id)).toEqual([8, 6, 4, 2, 0]);
    const page = await c.find({ n: { $gte: 2, $lt: 9 } }).sort({ n: -1 }).skip(1).limit(3).toArray();
    expect(page.map((d) => d.n)).toEqual([7, 6, 5]);
    const projected = await c.findOne({ _id: 3 }, { projection: { kind: 1, _id: 0 } });
    expect(projected).toEqual({ kind: 'odd' });
    const excluded = await c.findOne({ _id: 3 }, { projection: { at: 0, kind: 0 } });
    expect(excluded).toEqual({ _id: 3, n: 3 });
    expect(await c.find({ kind: { $in: ['odd'] }, n: { $nin: [1, 3] } }).toArray()).toHaveLength(3);
    expect(await c.find({ $or: [{ n: 1 }, { n: { $gt: 8 } }] }).toArray()).toHaveLength(2);
    expect(await c.find({ missing: { $exists: true } }).toArray()).toHaveLength(0);
  });

  it('null comparisons as mongod reads them: $gte/$lte null match null, missing and arrays holding null; $gt/$lt null nothing', async () => {
    const c = coll('null-ranges');
    await c.insertMany([{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: 5 }, { _id: 4, a: 'x' }, { _id: 5, a: [null, 1] }, { _id: 6, a: [2] }]);
    const ids = async (filter: Document) => (await c.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
    const check = async () => {
      expect(await ids({ a: { $lte: null } })).toEqual([1, 2, 5]);
      expect(await ids({ a: { $gte: null } })).toEqual([1, 2, 5]);
      expect(await ids({ a: { $gte: null, $lte: null } })).toEqual([1, 2, 5]);
      expect(await ids({ a: { $lt: null } })).toEqual([]);
      expect(await ids({ a: { $gt: null } })).toEqual([]);
      expect(await ids({ a: { $not: { $lte: null } } })).toEqual([3, 4, 6]);
      expect(await ids({ a: { $eq: 5, $gte: null } })).toEqual([]);
      expect(await ids({ $or: [{ a: { $lte: null } }, { a: 5 }] })).toEqual([1, 2, 3, 5]);
      expect(await ids({ a: { $elemMatch: { $gte: null } } })).toEqual([5]);
      expect(await c.countDocuments({ a: { $lte: null } })).toBe(3);
      expect((await c.aggregate<{ _id: number }>([{ $match: { a: { $gte: null } } }, { $sort: { _id: 1 } }]).toArray()).map((d) => d._id)).toEqual([1, 2, 5]);
    };
    await check();
    await c.createIndex({ a: 1 });
    await check();
    expect((await c.updateMany({ a: { $lte: null } }, { $set: { seen: true } })).modifiedCount).toBe(3);
    expect((await c.deleteMany({ a: { $gt: null } })).deletedCount).toBe(0);
  });

  it('a null _id is a legal value, as on mongod (it is not replaced by an ObjectId)', async () => {
    const c = t.db.collection('null_id');
    // Raw command: the driver's insertOne would itself replace a null _id with an ObjectId.
    await t.db.command({ insert: 'null_id', documents: [{ _id: null, v: 1 }] });
    expect(await c.findOne({ _id: null } as never)).toEqual({ _id: null, v: 1 });
  });

  it('find on a missing collection returns no documents and does not create it', async () => {
    expect(await coll('never_created').find({}).toArray()).toEqual([]);
    const names = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).not.toContain('never_created');
  });

  it('ObjectId fields match by value, including $in and sort by ObjectId', async () => {
    const c = coll('oids');
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    await c.insertMany(ids.map((id, i) => ({ owner: id, i })));
    expect((await c.findOne({ owner: new ObjectId(ids[1]?.toHexString()) }))?.i).toBe(1);
    expect(await c.countDocuments({ owner: { $in: [ids[0], ids[2]] } })).toBe(2);
    const sorted = await c.find({}).sort({ owner: -1 }).toArray();
    expect(sorted.map((d) => d.i)).toEqual([2, 1, 0]);
  });
});

describe('updates and deletes', () => {
  it('updateOne/updateMany report matched and modified counts; no-op updates are not "modified"', async () => {
    const c = coll('upd');
    await c.insertMany([{ _id: 1, s: 'a', n: 1 }, { _id: 2, s: 'a', n: 2 }, { _id: 3, s: 'b', n: 3 }]);
    const one = await c.updateOne({ s: 'a' }, { $set: { s: 'a' } });
    expect([one.matchedCount, one.modifiedCount]).toEqual([1, 0]);
    const many = await c.updateMany({ s: 'a' }, { $inc: { n: 10 }, $set: { touched: true } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    expect((await c.find({}).sort({ _id: 1 }).toArray()).map((d) => d.n)).toEqual([11, 12, 3]);
  });

  it('update operators: $unset, $push/$each, $addToSet, $pull, $min/$max, $rename, $currentDate, $mul', async () => {
    type Ops = { _id: number; a?: number; tags: string[]; lo: number; hi: number; old?: string; renamed?: string; price: number; seen?: Date };
    const c = t.db.collection<Ops>('ops');
    await c.insertOne({ _id: 1, a: 1, tags: ['x'], lo: 5, hi: 5, old: 'v', price: 2 });
    await c.updateOne(
      { _id: 1 },
      { $unset: { a: '' }, $push: { tags: { $each: ['y', 'z'] } }, $min: { lo: 3 }, $max: { hi: 9 }, $rename: { old: 'renamed' }, $currentDate: { seen: true }, $mul: { price: 3 } },
    );
    await c.updateOne({ _id: 1 }, { $addToSet: { tags: 'x' } });
    await c.updateOne({ _id: 1 }, { $pull: { tags: 'y' } });
    // Two operators on one path in one update is a conflict on mongod.
    await expect(c.updateOne({ _id: 1 }, { $addToSet: { tags: 'q' }, $pull: { tags: 'x' } })).rejects.toMatchObject({ code: 40 });
    const doc = await c.findOne({ _id: 1 });
    expect(doc).toMatchObject({ tags: ['x', 'z'], lo: 3, hi: 9, renamed: 'v', price: 6 });
    expect(doc).not.toHaveProperty('a');
    expect(doc?.seen).toBeInstanceOf(Date);
  });

  it('the per-message shapes ($max/$min on Dates, $inc, $set, plain $push) on present and missing fields', async () => {
    const c = coll('activity');
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await c.insertOne({ _id: 1, lastActivity: at(10), messageCount: 2, history: [{ s: 'queued' }] });
    const touch = (s: number, extra: Document = {}) =>
      c.updateOne({ _id: 1 }, { $max: { lastActivity: at(s) }, $inc: { messageCount: 1 }, $set: { updatedAt: at(s) }, $min: { firstAgentAt: at(s) }, ...extra });
    await touch(20, { $push: { history: { s: 'accepted' } } });
    await touch(5); // older: $max keeps lastActivity, $min moves firstAgentAt back
    await touch(20); // equal to lastActivity: it stays
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1, lastActivity: at(20), messageCount: 5, history: [{ s: 'queued' }, { s: 'accepted' }], updatedAt: at(20), firstAgentAt: at(5),
    });
    // $inc and $push create missing fields; $unset of a missing field is a no-op.
    await c.updateOne({ _id: 1 }, { $inc: { fresh: 2 }, $push: { list: [1, 2] }, $unset: { nothing: '' } } as Document);
    expect(await c.findOne({ _id: 1 })).toMatchObject({ fresh: 2, list: [[1, 2]] });
    // Across types $max/$min follow BSON order (numbers < strings < Dates), not JavaScript's.
    await c.updateOne({ _id: 1 }, { $max: { messageCount: 'many' }, $min: { updatedAt: 7 } });
    expect(await c.findOne({ _id: 1 })).toMatchObject({ messageCount: 'many', updatedAt: 7 });
    // $push onto a non-array fails and changes nothing.
    await expect(c.updateOne({ _id: 1 }, { $push: { fresh: 3 } } as Document)).rejects.toMatchObject({ code: 2, message: expect.stringContaining("must be an array but is of type int") });
    expect(await c.findOne({ _id: 1 })).toMatchObject({ fresh: 2 });
  });

  it('$inc on a non-numeric field fails with TypeMismatch (14) and leaves the document unchanged', async () => {
    const c = coll('inc_type');
    await c.insertOne({ _id: 1, n: 'seven' });
    await expect(c.updateOne({ _id: 1 }, { $inc: { n: 1 } })).rejects.toMatchObject({ code: 14 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, n: 'seven' });
  });

  it('$set through a scalar fails with PathNotViable (28) instead of silently doing nothing', async () => {
    const c = coll('path_type');
    await c.insertOne({ _id: 1, a: 5 });
    await expect(c.updateOne({ _id: 1 }, { $set: { 'a.b': 1 } })).rejects.toMatchObject({ code: 28 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: 5 });
  });

  it('positional $ and arrayFilters update the matching array elements', async () => {
    const c = coll('arrays');
    await c.insertOne({ _id: 1, items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 1 }, { sku: 'c', qty: 5 }] });
    await c.updateOne({ _id: 1, 'items.sku': 'b' }, { $set: { 'items.$.qty': 2 } });
    await c.updateOne({ _id: 1 }, { $inc: { 'items.$[big].qty': 100 } }, { arrayFilters: [{ 'big.qty': { $gte: 5 } }] });
    expect((await c.findOne({ _id: 1 }))?.items).toEqual([{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }, { sku: 'c', qty: 105 }]);
  });

  it('replaceOne keeps _id; changing _id fails with ImmutableField (66)', async () => {
    const c = coll('replace');
    await c.insertOne({ _id: 1, a: 1, b: 2 });
    await c.replaceOne({ _id: 1 }, { c: 3 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3 });
    await expect(c.replaceOne({ _id: 1 }, { _id: 2, c: 4 })).rejects.toMatchObject({ code: 66 });
    await expect(c.updateOne({ _id: 1 }, { $set: { _id: 5 } })).rejects.toMatchObject({ code: 66 });
  });

  it('pipeline-style updates compute new fields from existing ones', async () => {
    const c = coll('pipeline');
    await c.insertOne({ _id: 1, first: 'Ana', last: 'Gómez' });
    await c.updateOne({ _id: 1 }, [{ $set: { full: { $concat: ['$first', ' ', '$last'] } } }, { $unset: 'first' }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, last: 'Gómez', full: 'Ana Gómez' });
  });

  it('upsert seeds the new document from filter equalities and $setOnInsert; later upserts only update', async () => {
    const c = coll('upsert');
    const first = await c.updateOne({ key: 'k1', 'meta.src': 'wa' }, { $inc: { hits: 1 }, $setOnInsert: { createdBy: 'test' } }, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    const second = await c.updateOne({ key: 'k1', 'meta.src': 'wa' }, { $inc: { hits: 1 }, $setOnInsert: { createdBy: 'other' } }, { upsert: true });
    expect([second.matchedCount, second.upsertedCount]).toEqual([1, 0]);
    const doc = await c.findOne({ key: 'k1' });
    expect(doc).toMatchObject({ key: 'k1', meta: { src: 'wa' }, hits: 2, createdBy: 'test' });
    const replaced = await c.replaceOne({ _id: 'fixed' }, { v: 1 }, { upsert: true });
    expect(replaced.upsertedId).toBe('fixed');
  });

  it('a multi update with a replacement document is refused with FailedToParse (9)', async () => {
    const outcome = await t.db.command({ update: 'upsert', updates: [{ q: {}, u: { x: 1 }, multi: true }] }).catch((e: unknown) => e);
    // mongod reports it either as a command error or as the statement's write error.
    const code = outcome instanceof MongoServerError ? outcome.code : (outcome as Document).writeErrors?.[0]?.code;
    expect(code).toBe(9);
  });

  it('deleteOne removes one match, deleteMany all matches', async () => {
    const c = coll('del');
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });

  it('findOneAndUpdate/Replace/Delete honour sort, returnDocument, projection and upsert', async () => {
    const c = coll('fam');
    await c.insertMany([{ _id: 1, q: 'x', p: 3 }, { _id: 2, q: 'x', p: 1 }]);
    const before = await c.findOneAndUpdate({ q: 'x' }, { $set: { taken: true } }, { sort: { p: 1 } });
    expect(before).toEqual({ _id: 2, q: 'x', p: 1 });
    const after = await c.findOneAndUpdate({ _id: 2 }, { $inc: { p: 1 } }, { returnDocument: 'after', projection: { p: 1 } });
    expect(after).toEqual({ _id: 2, p: 2 });
    const meta = await c.findOneAndUpdate({ _id: 9 }, { $set: { q: 'new' } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(meta.value).toEqual({ _id: 9, q: 'new' });
    expect(meta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 9 });
    expect(await c.findOneAndReplace({ _id: 1 }, { q: 'y' }, { returnDocument: 'after' })).toEqual({ _id: 1, q: 'y' });
    expect(await c.findOneAndDelete({ _id: 1 })).toEqual({ _id: 1, q: 'y' });
    expect(await c.findOneAndDelete({ _id: 1 })).toBeNull();
  });
});
