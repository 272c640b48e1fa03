/**
 * Embedded store microbenchmark: updates that touch no indexed field (`updateOne({wamid},
 * {$set: {status, updated_at}})`, the message road's usual write) on a message log with five
 * secondary indexes, two of them compound with their ordered views built (as sorted pages build
 * them). bench/mongo-embedded.ts measures updates on a one-index collection over the wire, where
 * index maintenance is lost in the protocol's cost; this isolates it.
 *
 * In process (default) it runs the update command's own steps (planner lookup by the unique key,
 * applyUpdate, Collection.replace) and reports µs per update and the part spent in `replace`;
 * with --wire it goes through the driver against startEmbeddedMongo. --dir loads another copy of
 * devstack/mongo (e.g. the code before a change, copied next to a node_modules symlink) for A/B.
 *
 *   npx tsx bench/mongo-update-indexed.ts [--docs 100000] [--ops 20000] [--wire] [--dir /tmp/ab/orig/mongo]
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mongo } from 'mongoose';
import type * as CollectionModule from '../devstack/mongo/collection.js';
import type * as EmbeddedModule from '../devstack/mongo/index.js';
import type * as IndexesModule from '../devstack/mongo/indexes.js';
import type * as QueryModule from '../devstack/mongo/query.js';
import type * as UpdateModule from '../devstack/mongo/update.js';
import type * as ValuesModule from '../devstack/mongo/values.js';


function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const DOCS = Number(arg('--docs') ?? 100_000);
const OPS = Number(arg('--ops') ?? 20_000);
const WARMUP = Math.min(5000, OPS);
const WIRE = process.argv.includes('--wire');
const DIR = resolve(arg('--dir') ?? fileURLToPath(new URL('../devstack/mongo', import.meta.url)));
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(DIR, file)).href)) as T;

const INDEXES: Array<{ key: Record<string, number>; unique?: boolean; sparse?: boolean }> = [
  { key: { wamid: 1 }, unique: true },
  { key: { conversation_id: 1, created_at: -1, _id: -1 } },
  { key: { org_id: 1, created_at: -1, _id: -1 } },
  { key: { contact_id: 1 } },
  { key: { campaign_id: 1 }, sparse: true },
];
const BASE = Date.UTC(2024, 0, 1);
const STATUSES = ['delivered', 'read', 'sent'];

function message(i: number): mongo.Document {
  return {
    _id: new mongo.ObjectId(),
    wamid: `wamid.HBgN${String(i).padStart(8, '0')}`,
    org_id: `org_${i % 10}`,
    conversation_id: `conv_${i % 5000}`,
    contact_id: `ct_${i % 5000}`,
    direction: i % 2 ? 'inbound' : 'outbound',
    ...(i % 4 === 0 ? { campaign_id: `cmp_${i % 20}` } : {}),
    type: 'text',
    body: { text: `message number ${i}` },
    status: 'sent',
    created_at: new Date(BASE + i * 1000),
    updated_at: new Date(BASE + i * 1000),
  };
}

/** The `i`th update: a pseudo-random message by its unique key, two unindexed fields set. */
function update(i: number): { filter: mongo.Document; update: mongo.Document } {
  const n = (i * 7919) % DOCS;
  return { filter: { wamid: `wamid.HBgN${String(n).padStart(8, '0')}` }, update: { $set: { status: STATUSES[i % 3], updated_at: new Date(BASE + DOCS * 1000 + i) } } };
}

async function inProcess(): Promise<{ usPerOp: number; replaceUsPerOp: number }> {
  const { Collection } = await load<typeof CollectionModule>('collection.ts');
  const { normalizeIndexSpec } = await load<typeof IndexesModule>('indexes.ts');
  const { firstMatch } = await load<typeof QueryModule>('query.ts');
  const { applyUpdate } = await load<typeof UpdateModule>('update.ts');
  const { encodeKey } = await load<typeof ValuesModule>('values.ts');
  const coll = new Collection('bench', 'messages');
  for (const spec of INDEXES) coll.createIndex(normalizeIndexSpec(spec));
  for (let i = 0; i < DOCS; i++) coll.insert(message(i));
  for (const index of coll.indexes) index.ordered();
  let inReplace = 0;
  // The update command's steps (commands/write.ts executeUpdate) for one matched document.
  const run = (from: number, to: number): number => {
    const started = performance.now();
    for (let i = from; i < to; i++) {
      const input = update(i);
      const doc = firstMatch(coll, input.filter);
      if (!doc) throw new Error(`no match for ${JSON.stringify(input.filter)}`);
      const next = applyUpdate(doc, input);
      if (encodeKey(next) === encodeKey(doc)) continue;
      const t0 = performance.now();
      coll.replace(doc, next);
      inReplace += performance.now() - t0;
    }
    return performance.now() - started;
  };
  run(0, WARMUP);
  inReplace = 0;
  const ms = run(WARMUP, WARMUP + OPS);
  return { usPerOp: (ms * 1000) / OPS, replaceUsPerOp: (inReplace * 1000) / OPS };
}

async function overWire(): Promise<{ usPerOp: number }> {
  const { startEmbeddedMongo } = await load<typeof EmbeddedModule>('index.ts');
  const server = await startEmbeddedMongo();
  const client = await mongo.MongoClient.connect(server.uri, { maxPoolSize: 1 });
  try {
    const coll = client.db('bench').collection('messages');
    for (const { key, ...options } of INDEXES) await coll.createIndex(key, options);
    for (let i = 0; i < DOCS; i += 10_000) await coll.insertMany(Array.from({ length: Math.min(10_000, DOCS - i) }, (_, k) => message(i + k)));
    // Sorted pages build the compound indexes' ordered views, which updates then maintain.
    await coll.find({ conversation_id: 'conv_1' }).sort({ created_at: -1, _id: -1 }).limit(20).toArray();
    await coll.find({ org_id: 'org_1' }).sort({ created_at: -1, _id: -1 }).limit(20).toArray();
    const run = async (from: number, to: number): Promise<number> => {
      const started = performance.now();
      for (let i = from; i < to; i++) {
        const input = update(i);
        const result = await coll.updateOne(input.filter, input.update);
        if (result.modifiedCount !== 1) throw new Error(`update ${i} modified ${result.modifiedCount}`);
      }
      return performance.now() - started;
    };
    await run(0, WARMUP);
    const ms = await run(WARMUP, WARMUP + OPS);
    return { usPerOp: (ms * 1000) / OPS };
  } finally {
    await client.close();
    await server.stop();
  }
}

const result = WIRE ? await overWire() : await inProcess();
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
console.log(JSON.stringify({ mode: WIRE ? 'wire' : 'in-process', dir: DIR, docs: DOCS, ops: OPS, ...result, opsPerSec: Math.round(1e6 / result.usPerOp), heapMb: Math.round(heapMb) }));
