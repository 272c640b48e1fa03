/**
 * The embedded server as a module (always embedded, independent of MONGODB_URI): lifecycle,
 * snapshot persistence, the TTL sweep interval, the CLI, and index use by the planner.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Long, ObjectId } from '../../../devstack/mongo/bson.js';
import { Collection } from '../../../devstack/mongo/collection.js';
import { normalizeIndexSpec } from '../../../devstack/mongo/indexes.js';
import { startEmbeddedMongo } from '../../../devstack/mongo/index.js';
import { candidates } from '../../../devstack/mongo/planner.js';
import { MongoClient } from '../../helpers/mongo-driver.js';
import { waitFor } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'embedded-mongo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function withDb(uri: string, db: string): string {
  return uri.replace('/?', `/${db}?`);
}

describe('startEmbeddedMongo', () => {
  it('listens on a free port, and stop() closes client sockets and releases the port (idempotently)', async () => {
    const mongo = await startEmbeddedMongo();
    expect(mongo.port).toBeGreaterThan(0);
    expect(mongo.uri).toBe(`mongodb://127.0.0.1:${mongo.port}/?directConnection=true`);
    const socket = connect(mongo.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    await Promise.all([mongo.stop(), mongo.stop()]);
    await closed;
    const again = await startEmbeddedMongo({ port: mongo.port });
    expect(again.port).toBe(mongo.port);
    await again.stop();
  });

  it('with dataFile, stop() writes an EJSON snapshot that the next start reloads (types and unique indexes intact)', async () => {
    const dataFile = join(tmp, 'snapshot.json');
    const id = new ObjectId();
    const first = await startEmbeddedMongo({ dataFile });
    const client = await MongoClient.connect(withDb(first.uri, 'persist'));
    await client.db().collection('contacts').createIndex({ phone: 1 }, { unique: true });
    await client.db().collection('contacts').insertOne({ _id: id, phone: '+1', at: new Date(0), big: Long.fromString('9007199254740993') });
    await client.close();
    await first.stop();
    expect(existsSync(dataFile)).toBe(true);

    const second = await startEmbeddedMongo({ dataFile });
    const again = await MongoClient.connect(withDb(second.uri, 'persist'));
    const doc = await again.db().collection('contacts').findOne({ _id: id }, { promoteLongs: false });
    expect(doc).toEqual({ _id: id, phone: '+1', at: new Date(0), big: Long.fromString('9007199254740993') });
    await expect(again.db().collection('contacts').insertOne({ phone: '+1' })).rejects.toMatchObject({ code: 11000 });
    await again.close();
    await second.stop();
  });

  it('ttlSweepMs sets the TTL sweep interval (50 ms → expiry observed well under a second)', async () => {
    const mongo = await startEmbeddedMongo({ ttlSweepMs: 50 });
    const client = await MongoClient.connect(withDb(mongo.uri, 'ttl'));
    const coll = client.db().collection('sessions');
    await coll.createIndex({ lastSeen: 1 }, { expireAfterSeconds: 1 });
    await coll.insertMany([{ lastSeen: new Date(Date.now() - 1500) }, { lastSeen: [new Date(Date.now() - 5000), new Date()] }, { lastSeen: new Date() }]);
    expect(await waitFor(async () => (await coll.countDocuments()) === 1, 1000, 20)).toBe(true);
    await client.close();
    await mongo.stop();
  });
});

describe('CLI', () => {
  it('prints one line with its URI, serves the driver, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'devstack/mongo/cli.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const uri = /mongodb:\/\/\S+/.exec(line)?.[0] ?? '';
    expect(line).toMatch(/^embedded-mongo listening on mongodb:\/\/127\.0\.0\.1:\d+\/\?directConnection=true$/);
    const client = await MongoClient.connect(uri);
    expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
    await client.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('index use', () => {
  const coll = new Collection('planner', 'tickets');
  coll.createIndex(normalizeIndexSpec({ key: { phone: 1 }, unique: true }));
  coll.createIndex(normalizeIndexSpec({ key: { campaign: 1, phone: 1 }, unique: true }));
  coll.createIndex(
    normalizeIndexSpec({ key: { userPhone: 1 }, name: 'open', unique: true, partialFilterExpression: { status: { $in: ['pending', 'active'] } } }),
  );
  coll.createIndex(normalizeIndexSpec({ key: { wamid: 1 }, unique: true, partialFilterExpression: { wamid: { $type: 'string' } } }));
  for (let i = 0; i < 5000; i++) {
    coll.insert({ phone: `p${i}`, campaign: `c${i % 10}`, userPhone: `u${i}`, status: i % 2 ? 'closed' : 'active', ...(i % 3 ? { wamid: `w${i}` } : {}) });
  }
  const count = (filter: Record<string, unknown>): number => [...candidates(coll, filter)].length;

  it('an equality filter on a unique field reads one candidate instead of scanning 5000 documents', () => {
    expect(count({ phone: 'p4242' })).toBe(1);
    expect(count({ phone: { $eq: 'p7' }, status: 'closed' })).toBe(1);
    expect(count({ phone: { $in: ['p1', 'p2', 'nope'] } })).toBe(2);
    expect(count({ $and: [{ phone: 'p9' }, { status: 'closed' }] })).toBe(1);
  });

  it('compound and partial indexes serve exact-match filters; non-indexable filters fall back to a scan', () => {
    expect(count({ campaign: 'c3', phone: 'p13' })).toBe(1);
    expect(count({ campaign: 'c3' })).toBe(500); // leading field of the compound index
    expect(count({ userPhone: 'u10', status: { $in: ['pending', 'active'] } })).toBe(1);
    expect(count({ userPhone: 'u10' })).toBe(5000); // partial index cannot answer without its filter
    expect(count({ wamid: 'w5' })).toBe(1); // a string value implies the {$type: "string"} partial filter
    expect(count({ wamid: 5 })).toBe(5000);
    expect(count({ phone: { $regex: '^p1' } })).toBe(5000);
    expect(count({ phone: null })).toBe(5000);
  });
});
