/**
 * Cursor, counting and catalog conformance through the official driver (assertions hold for a
 * real mongod too): getMore paging, batch sizes, killCursors, counts, distinct, collections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, type Collection, type Document } from '../../helpers/mongo-driver.js';
import { openTestDb, type TestDb } from './support.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('cursors');
});
afterAll(async () => {
  await t.dispose();
});

function coll(name: string): Collection<Document> {
  return t.db.collection(name);
}

describe('cursors', () => {
  it('a find over 250 documents pages through getMore with the default first batch of 101', async () => {
    const c = coll('cursor');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await c.find({}).sort({ i: 1 }).toArray();
    expect(all).toHaveLength(250);
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('batchSize controls batches: the first batch holds batchSize docs and the cursor stays open', async () => {
    const c = coll('cursor');
    const reply = await t.db.command({ find: 'cursor', filter: {}, batchSize: 7 });
    expect(reply.cursor.firstBatch).toHaveLength(7);
    expect(Number(reply.cursor.id)).not.toBe(0);
    const more = await t.db.command({ getMore: reply.cursor.id, collection: 'cursor', batchSize: 50 });
    expect(more.cursor.nextBatch).toHaveLength(50);
    await t.db.command({ killCursors: 'cursor', cursors: [reply.cursor.id] });
    const cursor = c.find({}, { batchSize: 10 });
    let count = 0;
    for await (const _doc of cursor) count++;
    expect(count).toBe(250);
  });

  it('killCursors kills a server cursor: a later getMore on its id fails with CursorNotFound (43)', async () => {
    const reply = await t.db.command({ find: 'cursor', filter: {}, batchSize: 2 });
    const id = reply.cursor.id;
    const killed = await t.db.command({ killCursors: 'cursor', cursors: [id] });
    expect(killed.cursorsKilled.map(Number)).toEqual([Number(id)]);
    await expect(t.db.command({ getMore: id, collection: 'cursor' })).rejects.toMatchObject({ code: 43 });
  });

  it('cursor.close() on a partly read cursor sends killCursors and the server reports it killed', async () => {
    const client = await MongoClient.connect(t.uri, { monitorCommands: true });
    const replies: Document[] = [];
    client.on('commandSucceeded', (e) => {
      if (e.commandName === 'killCursors') replies.push(e.reply as Document);
    });
    const cursor = client.db().collection('cursor').find({}, { batchSize: 5 });
    await cursor.next();
    await cursor.close();
    await client.close();
    expect(replies).toHaveLength(1);
    expect(replies[0]?.cursorsKilled).toHaveLength(1);
  });

  it('singleBatch and limit close the cursor after the first batch', async () => {
    const reply = await t.db.command({ find: 'cursor', filter: {}, limit: 5, singleBatch: true });
    expect(reply.cursor.firstBatch).toHaveLength(5);
    expect(Number(reply.cursor.id)).toBe(0);
  });
});

describe('counting and distinct', () => {
  it('countDocuments, estimatedDocumentCount and distinct (arrays flattened) agree with the data', async () => {
    const c = coll('count');
    await c.insertMany([{ s: 'a', tags: ['x', 'y'] }, { s: 'b', tags: ['y'] }, { s: 'a', tags: [] }, { s: null }]);
    expect(await c.countDocuments()).toBe(4);
    expect(await c.countDocuments({ s: 'a' })).toBe(2);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(4);
    expect((await c.distinct('tags')).sort()).toEqual(['x', 'y']);
    expect((await c.distinct('s', { s: { $ne: null } })).sort()).toEqual(['a', 'b']);
  });
});

describe('catalog', () => {
  it('create twice fails with NamespaceExists (48); listCollections supports filter and nameOnly; drop removes', async () => {
    await t.db.createCollection('explicit');
    await expect(t.db.command({ create: 'explicit' })).rejects.toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    const listed = await t.db.listCollections({ name: 'explicit' }).toArray();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: 'explicit', type: 'collection' });
    const names = await t.db.listCollections({}, { nameOnly: true }).toArray();
    expect(names.map((c) => c.name)).toContain('explicit');
    expect(await t.db.collection('explicit').drop()).toBe(true);
    expect((await t.db.listCollections({ name: 'explicit' }).toArray()).length).toBe(0);
  });

  it('listDatabases includes this database once it has data', async () => {
    const { databases } = await t.client.db('admin').admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain(t.db.databaseName);
  });

  it('an unknown command fails with CommandNotFound (59) and the connection keeps working', async () => {
    await expect(t.db.command({ definitelyNotACommand: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect((await t.db.command({ ping: 1 })).ok).toBe(1);
  });
});
