/**
 * Embedded MongoDB benchmark (`npm run bench:mongo`): throughput of inserts, unique-key point
 * finds and findAndModify over 1 connection (sequential awaits) and 16 concurrent connections,
 * then the "100k documents, lookup by unique key median < 1 ms" check, then the leads list and
 * stats queries over 100k leads (90k in one org, with the leads model's indexes) against their
 * "p99 < 50 ms" target.
 * Set MONGODB_URI to run the same numbers against a real server for comparison.
 */
import { performance } from 'node:perf_hooks';
import { mongo } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../devstack/mongo/index.js';

const OPS_PER_PHASE = Number(process.env.BENCH_OPS ?? 5000);
const CONCURRENCY = 16;
const BIG_COLLECTION = 100_000;
const LOOKUPS = 1000;
/** Timed runs per leads query shape (after a few untimed warm-up runs). */
const LEAD_RUNS = Number(process.env.BENCH_LEAD_RUNS ?? 100);
const LEAD_WARMUP = 5;
const LEAD_TARGET_P99_MS = 50;
/** BENCH_LEADS_ONLY=1 skips the throughput and unique-lookup phases. */
const LEADS_ONLY = process.env.BENCH_LEADS_ONLY === '1';

interface Row {
  scenario: string;
  connections: number;
  ops: number;
  seconds: number;
}

const rows: Row[] = [];

/** Runs `op(i)` for i in [0, total) across `workers` sequential loops and records ops/s. */
async function measure(scenario: string, workers: number, total: number, op: (i: number, worker: number) => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const perWorker = Math.ceil(total / workers);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w * perWorker; i < Math.min(total, (w + 1) * perWorker); i++) await op(i, w);
    }),
  );
  rows.push({ scenario, connections: workers, ops: total, seconds: (performance.now() - started) / 1000 });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function throughput(uri: string): Promise<void> {
  for (const connections of [1, CONCURRENCY]) {
    const clients = await Promise.all(Array.from({ length: connections }, () => mongo.MongoClient.connect(uri, { maxPoolSize: 1 })));
    const colls: Array<mongo.Collection<mongo.Document>> = clients.map((c) => c.db().collection(`bench_${connections}`));
    await colls[0]?.createIndex({ phone: 1 }, { unique: true });
    const at = (w: number): mongo.Collection<mongo.Document> => colls[w] as mongo.Collection<mongo.Document>;
    await measure('insertOne', connections, OPS_PER_PHASE, (i, w) => at(w).insertOne({ phone: `+54911${String(i).padStart(8, '0')}`, name: `user ${i}`, n: 0, at: new Date() }));
    await measure('findOne by unique key', connections, OPS_PER_PHASE, (i, w) => at(w).findOne({ phone: `+54911${String((i * 7919) % OPS_PER_PHASE).padStart(8, '0')}` }));
    await measure('findOneAndUpdate $inc', connections, OPS_PER_PHASE, (i, w) =>
      at(w).findOneAndUpdate({ phone: `+54911${String((i * 7919) % OPS_PER_PHASE).padStart(8, '0')}` }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
    );
    await Promise.all(clients.map((c) => c.close()));
  }
}

async function bigLookup(uri: string): Promise<{ median: number; p99: number; loadSeconds: number }> {
  const client = await mongo.MongoClient.connect(uri, { maxPoolSize: 1 });
  const coll = client.db().collection('bench_big');
  await coll.createIndex({ phone: 1 }, { unique: true });
  const loadStart = performance.now();
  for (let start = 0; start < BIG_COLLECTION; start += 10_000) {
    await coll.insertMany(
      Array.from({ length: 10_000 }, (_, k) => ({ phone: `+54911${String(start + k).padStart(8, '0')}`, name: `contact ${start + k}`, tags: ['lead'], at: new Date() })),
    );
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const latencies: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const phone = `+54911${String((i * 104_729) % BIG_COLLECTION).padStart(8, '0')}`;
    const t0 = performance.now();
    const doc = await coll.findOne({ phone });
    latencies.push(performance.now() - t0);
    if (!doc) throw new Error(`lookup of ${phone} found nothing`);
  }
  await client.close();
  latencies.sort((a, b) => a - b);
  return { median: percentile(latencies, 50), p99: percentile(latencies, 99), loadSeconds };
}

/** A lead as the bench stores it: string `_id`s, like Puente's `ld_…` ids. */
type BenchLead = mongo.Document & { _id: string };

/** The leads search's sort (src/leads/store.ts). */
const NEWEST = { created_at: -1, _id: -1 } as const;

/** The list screen's and the stats panel's queries (GET /api/v1/leads/search and /stats). */
const LEAD_SHAPES: Array<{ name: string; run: (leads: mongo.Collection<BenchLead>) => Promise<unknown> }> = [
  { name: 'find {org, stage} sort created_at:-1 limit 50', run: (c) => c.find({ org_id: 'default', stage: 'mql' }).sort({ created_at: -1 }).limit(50).toArray() },
  { name: 'countDocuments {org, stage}', run: (c) => c.countDocuments({ org_id: 'default', stage: 'mql' }) },
  { name: 'find {org} sort created_at:-1 limit 50', run: (c) => c.find({ org_id: 'default' }).sort({ created_at: -1 }).limit(50).toArray() },
  { name: 'countDocuments {org}', run: (c) => c.countDocuments({ org_id: 'default' }) },
  { name: 'find {org, search: /correo123/} sort limit 50', run: (c) => c.find({ org_id: 'default', search: /correo123/ }).sort({ created_at: -1 }).limit(50).toArray() },
  { name: 'find {org, score 70..90} sort limit 50', run: (c) => c.find({ org_id: 'default', score: { $gte: 70, $lte: 90 } }).sort({ created_at: -1 }).limit(50).toArray() },
  {
    name: 'aggregate $match {org} $group by stage',
    run: (c) => c.aggregate([{ $match: { org_id: 'default' } }, { $group: { _id: '$stage', n: { $sum: 1 }, s: { $sum: '$score' }, v: { $sum: '$deal_value' } } }]).toArray(),
  },
  // The leads search as Puente sends it: newest first with `_id` breaking ties, the sort of its index.
  { name: 'find {org} sort created_at:-1,_id:-1 limit 50', run: (c) => c.find({ org_id: 'default' }).sort(NEWEST).limit(50).toArray() },
  { name: 'find {org} sort created_at:-1,_id:-1 skip 400 limit 50', run: (c) => c.find({ org_id: 'default' }).sort(NEWEST).skip(400).limit(50).toArray() },
  { name: 'find {org, stage} sort created_at:-1,_id:-1 limit 50', run: (c) => c.find({ org_id: 'default', stage: 'mql' }).sort(NEWEST).limit(50).toArray() },
  {
    name: 'find {org, search_text: /gomez/ (all)} sort created_at:-1,_id:-1 limit 50',
    run: (c) => c.find({ org_id: 'default', search_text: /gomez/ }).sort(NEWEST).limit(50).toArray(),
  },
  { name: 'countDocuments {org, search_text: /gomez/ (all)}', run: (c) => c.countDocuments({ org_id: 'default', search_text: /gomez/ }) },
];

async function leadQueries(uri: string): Promise<{ loadSeconds: number; results: Array<{ shape: string; p50: number; p99: number }> }> {
  const client = await mongo.MongoClient.connect(uri, { maxPoolSize: 1 });
  const leads = client.db().collection<BenchLead>('bench_leads');
  // The leads model's indexes (src/leads/models.ts).
  await leads.createIndex({ org_id: 1, contact_id: 1, source: 1 }, { unique: true, partialFilterExpression: { open: true } });
  await leads.createIndex({ org_id: 1, contact_id: 1 });
  await leads.createIndex({ org_id: 1, 'contact.phone': 1 });
  await leads.createIndex({ org_id: 1, created_at: -1, _id: -1 });
  await leads.createIndex({ org_id: 1, stage: 1 });
  await leads.createIndex({ org_id: 1, assignee_id: 1 });
  await leads.createIndex({ org_id: 1, qualification_status: 1 });
  await leads.createIndex({ updated_at: 1 }, { partialFilterExpression: { open: false } });
  const stages = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'lost'];
  const statuses = ['qualified', 'unqualified', 'disqualified'];
  const loadStart = performance.now();
  for (let start = 0; start < BIG_COLLECTION; start += 10_000) {
    await leads.insertMany(
      Array.from({ length: 10_000 }, (_, k) => {
        const i = start + k;
        return {
          _id: `ld_${i}`,
          org_id: i % 10 === 0 ? 'other' : 'default',
          stage: stages[i % 6],
          score: i % 101,
          qualification_status: statuses[i % 3],
          assignee_id: `u${i % 20}`,
          deal_value: i % 1000,
          search: `persona ${i} correo${i}@example.com 57300${i}`,
          search_text: `persona ${i} gomez correo${i}@example.com 57300${i}`,
          contact_id: `ct_${i}`,
          contact: { phone: `57300${i}` },
          source: 'whatsapp',
          open: i % 6 < 4,
          created_at: new Date(1e12 + i * 1000),
        };
      }),
    );
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const results: Array<{ shape: string; p50: number; p99: number }> = [];
  for (const shape of LEAD_SHAPES) {
    for (let i = 0; i < LEAD_WARMUP; i++) await shape.run(leads);
    const latencies: number[] = [];
    for (let i = 0; i < LEAD_RUNS; i++) {
      const t0 = performance.now();
      await shape.run(leads);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    results.push({ shape: shape.name, p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
  }
  await client.close();
  return { loadSeconds, results };
}

async function main(): Promise<void> {
  const external = process.env.MONGODB_URI;
  let embedded: EmbeddedMongo | undefined;
  let base = external;
  if (!base) {
    embedded = await startEmbeddedMongo();
    base = embedded.uri;
  }
  const dbName = `bench_${process.pid}`;
  const uri = base.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*/, `$1/${dbName}`);
  console.log(`target: ${external ? 'MONGODB_URI' : 'embedded'} (${uri})`);
  try {
    if (!LEADS_ONLY) {
      await throughput(uri);
      console.log('\nThroughput (sequential awaits per connection):');
      console.table(rows.map((r) => ({ scenario: r.scenario, connections: r.connections, ops: r.ops, 'ops/s': Math.round(r.ops / r.seconds) })));
      const big = await bigLookup(uri);
      const verdict = big.median < 1 ? 'PASS' : 'FAIL';
      console.log(`\n${BIG_COLLECTION.toLocaleString('en')} documents loaded in ${big.loadSeconds.toFixed(1)} s (insertMany batches of 10k)`);
      console.log(`findOne by unique key over ${LOOKUPS} lookups, 1 connection: median ${big.median.toFixed(3)} ms, p99 ${big.p99.toFixed(3)} ms → ${verdict} (target median < 1 ms)`);
    }
    const lead = await leadQueries(uri);
    console.log(`\n${BIG_COLLECTION.toLocaleString('en')} leads loaded in ${lead.loadSeconds.toFixed(1)} s (8 indexes, insertMany batches of 10k)`);
    console.log(`Leads list/stats queries, ${BIG_COLLECTION.toLocaleString('en')} leads (90% in org 'default'), ${LEAD_RUNS} runs each, 1 connection:`);
    console.table(lead.results.map((r) => ({ shape: r.shape, 'p50 ms': r.p50.toFixed(1), 'p99 ms': r.p99.toFixed(1), [`p99 < ${LEAD_TARGET_P99_MS} ms`]: r.p99 < LEAD_TARGET_P99_MS ? 'PASS' : 'FAIL' })));
  } finally {
    const cleanup = await mongo.MongoClient.connect(uri);
    await cleanup.db().dropDatabase();
    await cleanup.close();
    await embedded?.stop();
  }
}

await main();
