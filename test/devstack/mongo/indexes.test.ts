/**
 * Index conformance: unique / compound / partial / sparse / TTL semantics and the exact E11000
 * error (code, message shape, keyPattern, keyValue) on every write path Puente uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoBulkWriteError, MongoServerError, type Collection, type Document } from '../../helpers/mongo-driver.js';
import { isEmbedded, openTestDb, waitFor, type TestDb } from './support.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('indexes');
});
afterAll(async () => {
  await t.dispose();
});

async function uniqueOn(name: string, key: Document, options: Document = {}): Promise<Collection<Document>> {
  const c = t.db.collection(name);
  await c.createIndex(key, { unique: true, ...options });
  return c;
}

/** Runs `op` and returns the MongoServerError it must fail with. */
async function dupError(op: () => Promise<unknown>): Promise<MongoServerError> {
  const err = await op().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

describe('E11000 on every write path', () => {
  it('insertOne on a duplicate unique key fails with code 11000, mongod errmsg, keyPattern and keyValue', async () => {
    const c = await uniqueOn('dup_insert', { phone: 1 });
    await c.insertOne({ phone: '+5491100000001' });
    const err = await dupError(() => c.insertOne({ phone: '+5491100000001' }));
    expect(err.code).toBe(11000);
    expect(err.message).toBe(
      `E11000 duplicate key error collection: ${t.db.databaseName}.dup_insert index: phone_1 dup key: { phone: "+5491100000001" }`,
    );
    expect(err.keyPattern).toEqual({ phone: 1 });
    expect(err.keyValue).toEqual({ phone: '+5491100000001' });
  });

  it('duplicate _id fails with 11000 on the _id_ index', async () => {
    const c = t.db.collection('dup_id');
    await c.insertOne({ _id: 7 } as Document);
    const err = await dupError(() => c.insertOne({ _id: 7 } as Document));
    expect(err.code).toBe(11000);
    expect(err.message).toContain('index: _id_ dup key: { _id: 7 }');
    expect(err.keyValue).toEqual({ _id: 7 });
  });

  it('ordered insertMany stops at the first duplicate: writeErrors index 1, one document inserted', async () => {
    const c = await uniqueOn('dup_many_ordered', { k: 1 });
    const err = await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    expect(bulk.insertedCount).toBe(1);
    const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    expect(writeErrors.map((w) => w.index)).toEqual([1]);
    expect(writeErrors[0]?.errInfo).toBeUndefined();
    expect(await c.countDocuments()).toBe(1);
  });

  it('unordered insertMany continues past duplicates: writeErrors at indexes 1 and 3, three inserted', async () => {
    const c = await uniqueOn('dup_many_unordered', { k: 1 });
    const err = await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }, { k: 2 }, { k: 3 }], { ordered: false }).catch((e: unknown) => e);
    const bulk = err as MongoBulkWriteError;
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    expect(bulk.insertedCount).toBe(3);
    const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    expect(writeErrors.map((w) => [w.index, w.code])).toEqual([[1, 11000], [3, 11000]]);
    expect(writeErrors[0]?.errmsg).toContain('dup key: { k: 1 }');
    expect(await c.countDocuments()).toBe(3);
  });

  it('updateOne with upsert that inserts a duplicate unique key fails with 11000 and keyValue', async () => {
    const c = await uniqueOn('dup_upsert', { email: 1 });
    await c.insertOne({ email: 'a@x.io', name: 'A' });
    const err = await dupError(() => c.updateOne({ name: 'B' }, { $set: { email: 'a@x.io' } }, { upsert: true }));
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x.io' });
    expect(await c.countDocuments()).toBe(1);
  });

  it('findOneAndUpdate with upsert that collides fails with 11000 (top-level command error)', async () => {
    const c = await uniqueOn('dup_fam', { email: 1 });
    await c.insertOne({ email: 'a@x.io', name: 'A' });
    const err = await dupError(() => c.findOneAndUpdate({ name: 'B' }, { $set: { email: 'a@x.io' } }, { upsert: true }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ email: 'a@x.io' });
  });

  it('updateOne that changes a unique field onto a taken value fails with 11000 and leaves the document unchanged', async () => {
    await uniqueOn('dup_update', { email: 1 });
    await t.db.collection<{ _id: number; email: string }>('dup_update').insertMany([{ _id: 1, email: 'a@x.io' }, { _id: 2, email: 'b@x.io' }]);
    const err = await dupError(() => t.db.collection<{ _id: number }>('dup_update').updateOne({ _id: 2 }, { $set: { email: 'a@x.io', other: true } }));
    expect(err.code).toBe(11000);
    expect(await t.db.collection<{ _id: number }>('dup_update').findOne({ _id: 2 })).toEqual({ _id: 2, email: 'b@x.io' });
  });
});

describe('index kinds', () => {
  it('compound unique allows repeats of one field but not of the pair; keyValue shows both fields', async () => {
    const c = await uniqueOn('compound', { campaign: 1, phone: 1 });
    await c.insertMany([{ campaign: 'c1', phone: 'p1' }, { campaign: 'c1', phone: 'p2' }, { campaign: 'c2', phone: 'p1' }]);
    const err = await dupError(() => c.insertOne({ campaign: 'c1', phone: 'p1' }));
    expect(err.keyPattern).toEqual({ campaign: 1, phone: 1 });
    expect(err.keyValue).toEqual({ campaign: 'c1', phone: 'p1' });
    expect(err.message).toContain('index: campaign_1_phone_1 dup key: { campaign: "c1", phone: "p1" }');
  });

  it('partial unique: a second open ticket for a user fails, closed + open is fine, closing frees the slot', async () => {
    const c = await uniqueOn('tickets', { userPhone: 1 }, { partialFilterExpression: { status: { $in: ['pending', 'active'] } } });
    await c.insertOne({ userPhone: 'u1', status: 'closed' });
    await c.insertOne({ userPhone: 'u1', status: 'closed' });
    await c.insertOne({ userPhone: 'u1', status: 'pending' });
    const err = await dupError(() => c.insertOne({ userPhone: 'u1', status: 'active' }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ userPhone: 'u1' });
    await c.updateOne({ userPhone: 'u1', status: 'pending' }, { $set: { status: 'closed' } });
    await c.insertOne({ userPhone: 'u1', status: 'active' });
    expect(await c.countDocuments({ userPhone: 'u1', status: { $in: ['pending', 'active'] } })).toBe(1);
    const reopen = await dupError(() => c.updateOne({ userPhone: 'u1', status: 'closed' }, { $set: { status: 'pending' } }));
    expect(reopen.code).toBe(11000);
  });

  it('sparse unique ignores documents without the field but still rejects duplicates of present values', async () => {
    const c = await uniqueOn('sparse', { email: 1 }, { sparse: true });
    await c.insertMany([{ name: 'no email 1' }, { name: 'no email 2' }, { email: 'e@x.io' }]);
    const err = await dupError(() => c.insertOne({ email: 'e@x.io' }));
    expect(err.code).toBe(11000);
  });

  it('non-sparse unique treats a missing field as null: two documents without it collide', async () => {
    const c = await uniqueOn('nonsparse', { email: 1 });
    await c.insertOne({ name: 'first' });
    const err = await dupError(() => c.insertOne({ name: 'second' }));
    expect(err.keyValue).toEqual({ email: null });
    expect(err.message).toContain('dup key: { email: null }');
  });

  it('building a unique index over existing duplicates fails with 11000 and creates nothing', async () => {
    const c = t.db.collection('late_unique');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const err = await dupError(() => c.createIndex({ k: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('TTL index: expired documents are removed by the background sweep (embedded; mongod sweeps only every 60 s)', async (ctx) => {
    if (!(await isEmbedded(t.db))) {
      ctx.skip('real mongod runs its TTL monitor every 60 s, too slow to observe in a unit test');
      return;
    }
    const c = t.db.collection('ttl');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await c.insertMany([
      { tag: 'expired', expiresAt: new Date(Date.now() - 1000) },
      { tag: 'future', expiresAt: new Date(Date.now() + 3_600_000) },
      { tag: 'no date', expiresAt: 'not a date' },
    ]);
    const gone = await waitFor(async () => (await c.countDocuments({ tag: 'expired' })) === 0, 5000);
    expect(gone).toBe(true);
    expect((await c.find({}).toArray()).map((d) => d.tag).sort()).toEqual(['future', 'no date']);
  });
});

describe('index management', () => {
  it('listIndexes reports _id_ plus created indexes with their options', async () => {
    const c = t.db.collection('mgmt');
    await c.createIndex({ a: 1, b: -1 });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600, name: 'at_ttl' });
    await c.createIndex({ u: 1 }, { unique: true, partialFilterExpression: { open: true } });
    const indexes = await c.indexes();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'a_1_b_-1', 'at_ttl', 'u_1']);
    expect(indexes[0]).toMatchObject({ v: 2, key: { _id: 1 }, name: '_id_' });
    expect(indexes[2]).toMatchObject({ key: { at: 1 }, expireAfterSeconds: 3600 });
    expect(indexes[3]).toMatchObject({ unique: true, partialFilterExpression: { open: true } });
  });

  it('creating an identical index is a no-op; same name with another key fails (86), same key with another name fails (85)', async () => {
    const c = t.db.collection('mgmt');
    expect(await c.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
    await expect(c.createIndex({ z: 1 }, { name: 'a_1_b_-1' })).rejects.toMatchObject({ code: 86 });
    await expect(c.createIndex({ a: 1, b: -1 }, { name: 'other' })).rejects.toMatchObject({ code: 85 });
    await expect(c.createIndex({ a: 1, b: -1 }, { unique: true })).rejects.toMatchObject({ code: 85 });
  });

  it('dropIndex by name and by key; dropping _id_ (72) or a missing index (27) fails; listIndexes on a missing collection is 26', async () => {
    const c = t.db.collection('mgmt');
    await c.dropIndex('at_ttl');
    await c.dropIndex({ a: 1, b: -1 } as unknown as string);
    await expect(c.dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
    await expect(c.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'u_1']);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
    await expect(t.db.command({ listIndexes: 'no_such_coll' })).rejects.toMatchObject({ code: 26 });
  });

  it('after dropping a unique index, duplicates are accepted', async () => {
    const c = await uniqueOn('dropped_unique', { k: 1 });
    await c.insertOne({ k: 1 });
    await c.dropIndex('k_1');
    await c.insertOne({ k: 1 });
    expect(await c.countDocuments({ k: 1 })).toBe(2);
  });
});
