/**
 * Embedded store microbenchmark: the campaign sender's reads over a campaign of 100,000
 * enrollments (5,000 already sent), through the driver, as `src/campaigns/sender.ts` sends them:
 * the run's "schedule the never-scheduled" `updateMany` (matches none), a batch of 100 due
 * enrollments, and the completion check's `exists`. Each is a stretch of the index
 * `(org_id, campaign_id, status, next_step_at)` in mongod; the store's planner used to serve
 * them from the organization's whole bucket (every enrollment). The first of five timings
 * includes building the index's ordered view (once per store process).
 *
 *   npx tsx bench/mongo-campaign-queries.ts [--docs 100000] [--dir /tmp/ab/devstack/mongo]
 *
 * --dir loads another copy of devstack/mongo (e.g. the code before a change, extracted with
 * `git archive` next to a node_modules symlink) for A/B.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { campaignModels } from '../src/campaigns/models.js';
import type * as EmbeddedModule from '../devstack/mongo/index.js';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const dir = resolve(arg('--dir') ?? fileURLToPath(new URL('../devstack/mongo', import.meta.url)));
const total = Number(arg('--docs') ?? 100_000);
const sent = Math.round(total / 20);

const { startEmbeddedMongo } = (await import(pathToFileURL(`${dir}/index.ts`).href)) as typeof EmbeddedModule;
const store = await startEmbeddedMongo({});
const connection = await mongoose.createConnection(store.uri, { dbName: 'bench_campaign_queries' }).asPromise();
const { Enrollment } = campaignModels(connection);
await Enrollment.init();

const now = new Date();
const docs = Array.from({ length: total }, (_, i) => ({
  _id: `enr_${i}`,
  org_id: 'org',
  campaign_id: 'cmp',
  contact_id: `ct_${i}`,
  status: i < sent ? 'active' : 'pending',
  source: 'criteria',
  current_step: i < sent ? 1 : 0,
  // The sent ones are due again tomorrow; the others one millisecond apart from now on.
  next_step_at: new Date(now.getTime() + (i < sent ? 86_400_000 : i)),
  enrolled_at: now,
}));
for (let i = 0; i < docs.length; i += 5_000) await Enrollment.collection.insertMany(docs.slice(i, i + 5_000) as never);

const RUNNING = ['pending', 'active'] as const;
const results: Record<string, number[]> = {};
async function time(label: string, run: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let k = 0; k < 5; k++) {
    const started = performance.now();
    await run();
    ms.push(Math.round((performance.now() - started) * 10) / 10);
  }
  results[label] = ms;
}

await time('schedule updateMany (matches none)', () =>
  Enrollment.updateMany({ org_id: 'org', campaign_id: 'cmp', status: { $in: [...RUNNING] }, current_step: 0, next_step_at: { $exists: false } }, { $set: { next_step_at: now } }),
);
await time('due find, limit 100', () => Enrollment.find({ org_id: 'org', campaign_id: 'cmp', status: { $in: [...RUNNING] }, next_step_at: { $lte: new Date(now.getTime() + total / 2) } }).limit(100).lean());
await time('exists running', () => Enrollment.exists({ org_id: 'org', campaign_id: 'cmp', status: { $in: [...RUNNING, 'paused'] } }));

console.log(JSON.stringify({ dir, docs: total, msPerCall: results }, null, 1));
await connection.close();
await store.stop();
