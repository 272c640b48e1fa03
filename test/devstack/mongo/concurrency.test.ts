/**
 * Races between independent connections: writes are atomic per document, so concurrent upserts
 * on one key converge on a single document and concurrent inserts of one unique key let exactly
 * one through — on mongod and on the embedded server alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoServerError } from '../../helpers/mongo-driver.js';
import { openTestDb, type TestDb } from './support.js';

const CLIENTS = 20;
let t: TestDb;
let clients: MongoClient[];

beforeAll(async () => {
  t = await openTestDb('race');
  clients = await Promise.all(Array.from({ length: CLIENTS }, () => MongoClient.connect(t.uri, { maxPoolSize: 1 })));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.dispose();
});

describe('concurrent connections', () => {
  it('20 clients upserting the same key with $setOnInsert/$inc at once leave exactly one document with count 20', async () => {
    await t.db.collection('counters').createIndex({ key: 1 }, { unique: true });
    const results = await Promise.allSettled(
      clients.map((client, i) =>
        client
          .db()
          .collection('counters')
          .findOneAndUpdate(
            { key: 'inbound:+5491100000001' },
            { $inc: { count: 1 }, $setOnInsert: { firstSeenBy: i } },
            { upsert: true, returnDocument: 'after' },
          ),
      ),
    );
    // mongod may answer a losing racer with E11000 instead of retrying; only that error is acceptable.
    const failures = results.filter((r) => r.status === 'rejected');
    for (const f of failures) expect((f as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
    const docs = await t.db.collection('counters').find({ key: 'inbound:+5491100000001' }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0]?.count).toBe(CLIENTS - failures.length);
    const counts = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.count as number] : []));
    expect(new Set(counts).size).toBe(counts.length);
  });

  it('20 clients running updateOne upserts with $inc concurrently add up exactly', async () => {
    await Promise.all(
      clients.map((client) =>
        client.db().collection('tallies').updateOne({ _id: 'daily' } as never, { $inc: { n: 1 } }, { upsert: true }).catch((e: unknown) => {
          if (!(e instanceof MongoServerError && e.code === 11000)) throw e;
          return client.db().collection('tallies').updateOne({ _id: 'daily' } as never, { $inc: { n: 1 } });
        }),
      ),
    );
    expect(await t.db.collection('tallies').findOne({ _id: 'daily' } as never)).toEqual({ _id: 'daily', n: CLIENTS });
  });

  it('20 concurrent inserts of the same unique key: exactly one succeeds, the rest get 11000', async () => {
    await t.db.collection('leads').createIndex({ phone: 1 }, { unique: true });
    const results = await Promise.allSettled(
      clients.map((client, i) => client.db().collection('leads').insertOne({ phone: '+5491100000002', by: i })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(CLIENTS - 1);
    for (const f of failed) expect(f.reason).toMatchObject({ code: 11000, keyValue: { phone: '+5491100000002' } });
    expect(await t.db.collection('leads').countDocuments({ phone: '+5491100000002' })).toBe(1);
  });

  it('interleaved $inc from 20 clients × 25 rounds on one document loses no increment', async () => {
    const c = t.db.collection('hot');
    await c.insertOne({ _id: 'hot', n: 0 } as never);
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 25; i++) await client.db().collection('hot').updateOne({ _id: 'hot' } as never, { $inc: { n: 1 } });
      }),
    );
    expect((await c.findOne({ _id: 'hot' } as never))?.n).toBe(CLIENTS * 25);
  });
});
