/**
 * Leads search and stats benchmark (`npx tsx bench/leads-search.ts`): Puente's HTTP app in this
 * process (real node:http server, real API keys and rate limiter), the embedded MongoDB-compatible
 * store in its own process (MONGODB_URI=... uses a real server instead), Redis at REDIS_URL.
 * Seeds BENCH_LEADS (100,000) leads in one organization — written straight to the collection in
 * batches of 5,000, shaped as the API writes them (there is no bulk leads API) — plus 10,000 in a
 * second organization, then times BENCH_REQUESTS (100) sequential requests per query shape over
 * HTTP and prints p50/p99/max per shape.
 */
import { performance } from 'node:perf_hooks';
import { leadModels, LEAD_STAGES, type LeadDoc } from '../src/leads/models.js';
import { searchTextOf } from '../src/leads/store.js';
import { installCleanup } from './lib/children.js';
import { startInProcessPuente } from './lib/in-process-puente.js';
import { startMongoServer } from './lib/mongo-server.js';
import { summarize } from './lib/stats.js';

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
// 8 shapes × (REQUESTS + 1) stays under the organization’s 1,000 requests per minute.
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const QUALIFICATION = ['qualified', 'unqualified', 'disqualified', null] as const;

function leadDoc(orgId: string, i: number, epoch: number): LeadDoc {
  const at = new Date(epoch + i * 1000);
  const contact = { name: `Persona ${i} Gómez`, email: `p${i}@example.com`, phone: `57300${String(i).padStart(7, '0')}` };
  const stage = LEAD_STAGES[i % LEAD_STAGES.length] as LeadDoc['stage'];
  return {
    _id: `ld_bench${orgId.slice(-4)}${String(i).padStart(8, '0')}`,
    org_id: orgId,
    contact_id: `ct_bench${String(i).padStart(8, '0')}`,
    contact,
    search_text: searchTextOf(contact),
    source: i % 3 === 0 ? 'whatsapp' : 'website',
    deal_value: (i % 50) * 100,
    qualification_data: {},
    custom_fields: {},
    stage,
    stage_changed_at: at,
    stage_history: [{ from: null, to: 'lead', reason: null, by: 'bench', at }],
    score: i % 101,
    qualification_status: QUALIFICATION[i % 4] ?? null,
    assignee_id: `rep-${i % 25}`,
    open: stage !== 'customer' && stage !== 'lost',
    scores: {},
    created_at: at,
    updated_at: at,
  };
}

async function main(): Promise<void> {
  installCleanup();
  const mongo = process.env.MONGODB_URI ? undefined : await startMongoServer();
  const mongoUri = process.env.MONGODB_URI ?? mongo?.uriFor(`bench_leads_${Date.now()}`) ?? 'memory://';
  const puente = await startInProcessPuente({ mongoUri, name: 'leads' });
  const { deps, base } = puente;

  const org = await deps.apiKeys.store.createOrg('Bench');
  const other = await deps.apiKeys.store.createOrg('Other');
  const { key } = await deps.apiKeys.store.issueKey(org._id, { name: 'bench', scopes: ['read', 'write'] });
  const { Lead } = leadModels(deps.mongo.connection);
  await Lead.init();
  const seeded = performance.now();
  const epoch = Date.parse('2025-01-01T00:00:00Z');
  for (const [orgId, count] of [[org._id, LEADS], [other._id, Math.round(LEADS / 10)]] as const) {
    for (let from = 0; from < count; from += 5_000) {
      await Lead.collection.insertMany(Array.from({ length: Math.min(5_000, count - from) }, (_, k) => leadDoc(orgId, from + k, epoch)) as never[]);
    }
  }
  console.log(`leads search: ${LEADS} leads (+ ${Math.round(LEADS / 10)} in another organization) seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s; mongo ${mongo ? 'embedded (own process)' : mongoUri === 'memory://' ? 'embedded (in-process)' : 'external'}`);

  const shapes: [string, string][] = [
    ['search, no filter (newest first, total)', '/api/v1/leads/search'],
    ['search ?stage=mql', '/api/v1/leads/search?stage=mql'],
    ['search ?query=gomez (matches all: total counts every lead)', '/api/v1/leads/search?query=gomez'],
    ['search ?query=p12345@ (one match)', '/api/v1/leads/search?query=p12345%40'],
    ['search ?min_score=70&max_score=90', '/api/v1/leads/search?min_score=70&max_score=90'],
    ['search ?assignee_id=rep-7&qualification_status=qualified', '/api/v1/leads/search?assignee_id=rep-7&qualification_status=qualified'],
    ['search ?stage=sql&min_score=50&skip=400&limit=100', '/api/v1/leads/search?stage=sql&min_score=50&skip=400&limit=100'],
    ['stats', '/api/v1/leads/stats'],
  ];
  const headers = { 'x-api-key': key };
  console.log('| shape | requests | p50 ms | p99 ms | max ms | total |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, path] of shapes) {
    const first = (await (await fetch(`${base}${path}`, { headers })).json()) as { total?: number; total_leads?: number };
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      samples.push(performance.now() - t0);
    }
    const s = summarize(samples);
    console.log(`| ${name} | ${s.count} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} | ${first.total ?? first.total_leads} |`);
  }

  await puente.stop();
  await mongo?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
