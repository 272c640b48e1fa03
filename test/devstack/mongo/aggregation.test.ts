/** Aggregation conformance: the stages Puente's reports use, including `$lookup` on ObjectIds. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from '../../helpers/mongo-driver.js';
import { openTestDb, type TestDb } from './support.js';

let t: TestDb;
const agents = { ana: new ObjectId(), beto: new ObjectId() };

beforeAll(async () => {
  t = await openTestDb('agg');
  await t.db.collection('agents').insertMany([
    { _id: agents.ana, name: 'Ana' },
    { _id: agents.beto, name: 'Beto' },
  ]);
  const day = (d: number) => new Date(Date.UTC(2024, 4, d, 12));
  await t.db.collection('tickets').insertMany([
    { userPhone: 'u1', status: 'closed', agentId: agents.ana, tags: ['billing'], openedAt: day(1), minutes: 10 },
    { userPhone: 'u2', status: 'active', agentId: agents.ana, tags: ['billing', 'urgent'], openedAt: day(2), minutes: 30 },
    { userPhone: 'u3', status: 'pending', agentId: agents.beto, tags: [], openedAt: day(2), minutes: 5 },
    { userPhone: 'u4', status: 'closed', agentId: agents.beto, tags: ['sales'], openedAt: day(3), minutes: 20 },
    { userPhone: 'u5', status: 'closed', agentId: null, tags: ['sales'], openedAt: day(3), minutes: 1 },
  ]);
});
afterAll(async () => {
  await t.dispose();
});

describe('aggregate', () => {
  it('$match + $group + $sort + $project computes per-status counts and averages', async () => {
    const rows = await t.db
      .collection('tickets')
      .aggregate([
        { $match: { status: { $in: ['closed', 'active'] } } },
        { $group: { _id: '$status', count: { $sum: 1 }, avgMinutes: { $avg: '$minutes' } } },
        { $sort: { _id: 1 } },
        { $project: { _id: 0, status: '$_id', count: 1, avgMinutes: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { count: 1, avgMinutes: 30, status: 'active' },
      { count: 3, avgMinutes: 31 / 3, status: 'closed' },
    ]);
  });

  it('$lookup joins on ObjectId fields across collections of the same database; $unwind flattens', async () => {
    const rows = await t.db
      .collection('tickets')
      .aggregate([
        { $match: { agentId: { $ne: null } } },
        { $lookup: { from: 'agents', localField: 'agentId', foreignField: '_id', as: 'agent' } },
        { $unwind: '$agent' },
        { $group: { _id: '$agent.name', tickets: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: 'Ana', tickets: 2 },
      { _id: 'Beto', tickets: 2 },
    ]);
  });

  it('$lookup with no match yields an empty array, and $unwind drops such documents unless preserveNullAndEmptyArrays', async () => {
    const base = [{ $match: { userPhone: 'u5' } }, { $lookup: { from: 'agents', localField: 'agentId', foreignField: '_id', as: 'agent' } }];
    const [joined] = await t.db.collection('tickets').aggregate(base).toArray();
    expect(joined?.agent).toEqual([]);
    expect(await t.db.collection('tickets').aggregate([...base, { $unwind: '$agent' }]).toArray()).toHaveLength(0);
    const kept = await t.db.collection('tickets').aggregate([...base, { $unwind: { path: '$agent', preserveNullAndEmptyArrays: true } }]).toArray();
    expect(kept).toHaveLength(1);
  });

  it('$unwind on an array field + $group counts tags; $facet runs sub-pipelines side by side', async () => {
    const [facets] = await t.db
      .collection('tickets')
      .aggregate([
        {
          $facet: {
            byTag: [{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }],
            total: [{ $count: 'n' }],
            busiestDay: [{ $group: { _id: '$openedAt', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }, { $limit: 1 }],
          },
        },
      ])
      .toArray();
    expect(facets?.byTag).toEqual([
      { _id: 'billing', n: 2 },
      { _id: 'sales', n: 2 },
      { _id: 'urgent', n: 1 },
    ]);
    expect(facets?.total).toEqual([{ n: 5 }]);
    expect(facets?.busiestDay).toEqual([{ _id: new Date(Date.UTC(2024, 4, 2, 12)), n: 2 }]);
  });

  it('aggregation cursors page with batchSize like find cursors', async () => {
    await t.db.collection('many').insertMany(Array.from({ length: 150 }, (_, i) => ({ i })));
    const rows = await t.db.collection('many').aggregate([{ $sort: { i: -1 } }], { batchSize: 20 }).toArray();
    expect(rows).toHaveLength(150);
    expect(rows[0]?.i).toBe(149);
  });

  it('$out writes the results into another collection of the same database', async () => {
    await t.db.collection('tickets').aggregate([{ $match: { status: 'closed' } }, { $project: { userPhone: 1 } }, { $out: 'closed_tickets' }]).toArray();
    expect(await t.db.collection('closed_tickets').countDocuments()).toBe(3);
  });

  it('an unknown stage is rejected with a server error and the source data is untouched', async () => {
    await expect(t.db.collection('tickets').aggregate([{ $noSuchStage: {} }]).toArray()).rejects.toMatchObject({ name: 'MongoServerError' });
    expect(await t.db.collection('tickets').countDocuments()).toBe(5);
  });

  it('$changeStream is refused as on a standalone mongod (40573: needs a replica set)', async () => {
    await expect(t.db.command({ aggregate: 'tickets', pipeline: [{ $changeStream: {} }], cursor: {} })).rejects.toMatchObject({ code: 40573 });
  });

  it('aggregation does not mutate stored documents ($set on nested fields of joined documents)', async () => {
    await t.db
      .collection('tickets')
      .aggregate([
        { $lookup: { from: 'agents', localField: 'agentId', foreignField: '_id', as: 'agent' } },
        { $unwind: '$agent' },
        { $set: { 'agent.name': 'CHANGED', minutes: 0 } },
      ])
      .toArray();
    expect((await t.db.collection('agents').findOne({ _id: agents.ana }))?.name).toBe('Ana');
    expect((await t.db.collection('tickets').findOne({ userPhone: 'u1' }))?.minutes).toBe(10);
  });
});
