import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectMongo, type MongoHandle } from '../../../../src/platform/mongo/connection.js';
import { BatchedWriteError, createBulkWriter, createKeyedLoader } from '../../../../src/platform/mongo/batch.js';
import { mongoUriFor, uniqueDbName } from '../../../helpers/mongo.js';

describe('group commit and group read (src/platform/mongo/batch.ts)', () => {
  let mongo: MongoHandle;
  beforeAll(async () => {
    mongo = await connectMongo(mongoUriFor(uniqueDbName('mongobatch')));
  });
  afterAll(() => mongo.close());

  it('fails only the write that failed when a batch holds several', async () => {
    const collection = mongo.connection.db!.collection<{ key: string }>('batch_probe');
    await collection.createIndex({ key: 1 }, { unique: true });
    await collection.insertOne({ key: 'taken' });
    const writer = createBulkWriter(collection);
    const results = await Promise.allSettled([
      writer.write({ insertOne: { document: { key: 'fresh-1' } } }),
      writer.write({ insertOne: { document: { key: 'taken' } } }),
      writer.write({ insertOne: { document: { key: 'fresh-2' } } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as BatchedWriteError;
    expect(reason).toBeInstanceOf(BatchedWriteError);
    expect(reason.code).toBe(11000);
    expect((await collection.find({}, { projection: { _id: 0 } }).sort({ key: 1 }).toArray()).map((d) => d.key)).toEqual(['fresh-1', 'fresh-2', 'taken']);
  });

  it('answers concurrent loads with one query, each caller with its own document or null', async () => {
    const collection = mongo.connection.db!.collection<{ code: string; n: number }>('loader_probe');
    await collection.insertMany([
      { code: 'a', n: 1 },
      { code: 'b', n: 2 },
      { code: 'c', n: 3 },
    ]);
    const queries: string[][] = [];
    const loader = createKeyedLoader(
      (codes) => {
        queries.push(codes);
        return collection.find({ code: { $in: codes } }).toArray();
      },
      (doc) => doc.code,
    );
    const results = await Promise.all(['a', 'c', 'missing', 'a'].map((code) => loader.load(code)));
    expect(results.map((d) => d?.n ?? null)).toEqual([1, 3, null, 1]);
    expect(queries).toEqual([['a', 'c', 'missing']]);

    // A later turn gets a fresh read: writes made in between are seen.
    await collection.updateOne({ code: 'a' }, { $set: { n: 10 } });
    expect((await loader.load('a'))?.n).toBe(10);
    expect(queries).toHaveLength(2);
  });

  it('rejects every caller of a batch whose query failed, and recovers on the next', async () => {
    const loadMany = vi.fn().mockRejectedValueOnce(new Error('connection reset')).mockResolvedValueOnce([{ id: 'x' }]);
    const loader = createKeyedLoader<{ id: string }>(loadMany, (d) => d.id);
    const failed = await Promise.allSettled([loader.load('x'), loader.load('y')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await loader.load('x')).toEqual({ id: 'x' });
  });
});
