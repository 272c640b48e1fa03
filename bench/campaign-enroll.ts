/**
 * Campaign enrollment benchmark (`npx tsx bench/campaign-enroll.ts`): POST
 * /api/v1/campaigns/{id}/enroll-from-criteria over BENCH_CONTACTS (100,000) matching contacts.
 * Puente's HTTP app runs in this process (`app.request`, no socket), the embedded
 * MongoDB-compatible store in a child process (BENCH_MONGO=memory: in-process; MONGODB_URI=...: a
 * real server), Redis at REDIS_URL (default 127.0.0.1:6379).
 *
 * Seeds the contacts (and one open lead each) straight into the collections, then times:
 *   1. criteria by tag only (no lead condition): enroll-from-criteria;
 *   2. criteria through the leads (stage + score + source): enroll-from-criteria;
 *   3. the preview (GET /targeted-contacts?limit=50, which counts every targeted contact) on a fresh campaign;
 *   4. enroll-from-criteria again on campaign 1 (everyone enrolled already: nothing new).
 * and prints each time with the process's RSS before and at its peak (`node --expose-gc` collects before each). Target: each enrollment of 100,000 < 30 s.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDeps } from '../src/app/deps.js';
import { createApp } from '../src/app/http-app.js';
import { loadConfig } from '../src/platform/config/index.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { installCleanup } from './lib/children.js';
import { startMongoServer } from './lib/mongo-server.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const SEED_BATCH = 10_000;
const TARGET_SECONDS = 30;

type Json = Record<string, unknown>;

async function main(): Promise<void> {
  installCleanup();
  const mongoChild = process.env.MONGODB_URI ? undefined : process.env.BENCH_MONGO === 'memory' ? undefined : await startMongoServer();
  const mongoUri = process.env.MONGODB_URI ?? mongoChild?.uriFor(`campaign_bench_${process.pid}`) ?? 'memory://';
  const config = loadConfig({
    PUENTE_ROLE: 'api',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONGODB_URI: mongoUri,
    WHATSAPP_PHONE_NUMBER_ID: '118724605391736',
    WHATSAPP_API_URL: 'https://graph.invalid',
    CRM_BASE_URL: 'https://crm.invalid',
    LOG_LEVEL: 'silent',
  });
  const deps = await createDeps(config, { keyPrefix: `bench-campaigns-${randomUUID()}`, logger: createLogger({ level: 'silent' }) });
  const app = createApp(deps);
  const org = await deps.apiKeys.store.createOrg('Bench campaigns');
  const { key } = await deps.apiKeys.store.issueKey(org._id, { name: 'bench', scopes: ['read', 'write'] });
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await app.request(path, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Json };
  };

  // Seed: contacts tagged `bench`, half opted in, each with one open lead (web, sql, score 40–99).
  const conn = deps.mongo.connection;
  // Build the contacts' and leads' indexes as their stores would before the first write.
  await call('POST', '/api/v1/contacts', { phone: '3009999999', name: 'Índices' });
  const seedStart = performance.now();
  const t0 = Date.now() - CONTACTS * 10;
  for (let from = 0; from < CONTACTS; from += SEED_BATCH) {
    const contacts: Json[] = [];
    const leads: Json[] = [];
    for (let i = from; i < Math.min(CONTACTS, from + SEED_BATCH); i++) {
      const at = new Date(t0 + i * 10);
      const id = `ct_${randomBytes(12).toString('base64url')}`;
      const phone = `573${String(i).padStart(9, '0')}`;
      contacts.push({ _id: id, org_id: org._id, phone, name: `Contacto ${i}`, tags: ['bench', `lote${i % 10}`], opt_in_status: i % 2 ? 'opted_in' : 'unknown', consent_history: [], do_not_contact: false, custom_fields: {}, import_ids: [], source: 'bench', created_at: at, updated_at: at });
      leads.push({ _id: `ld_${randomBytes(12).toString('base64url')}`, org_id: org._id, contact_id: id, contact: { name: `Contacto ${i}`, email: null, phone }, search_text: `contacto ${i} ${phone}`, source: 'web', qualification_data: {}, custom_fields: {}, stage: 'sql', stage_changed_at: at, stage_history: [], score: 40 + (i % 60), qualification_status: null, open: true, scores: {}, created_at: at, updated_at: at });
    }
    await conn.collection('contacts').insertMany(contacts as never[], { ordered: false });
    await conn.collection('leads').insertMany(leads as never[], { ordered: false });
  }
  console.log(`seeded ${CONTACTS} contacts and ${CONTACTS} leads in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (mongo ${mongoChild ? 'embedded, child process' : mongoUri === 'memory://' ? 'embedded, in-process' : 'external'})`);

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const results: { what: string; seconds: number }[] = [];
  const timed = async (what: string, run: () => Promise<string>) => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    peakRss = before;
    const started = performance.now();
    const detail = await run();
    const seconds = (performance.now() - started) / 1000;
    results.push({ what, seconds });
    console.log(`${what}: ${seconds.toFixed(2)} s — ${detail} — RSS ${mib(before)} before, peak ${mib(peakRss)}`);
  };
  const campaign = async (criteria: Json) => {
    const res = await call('POST', '/api/v1/campaigns', { name: 'Bench', target_criteria: criteria });
    if (res.status !== 201) throw new Error(`campaign: ${res.status} ${JSON.stringify(res.body)}`);
    return String(res.body.id);
  };
  const enroll = async (id: string) => {
    const res = await call('POST', `/api/v1/campaigns/${id}/enroll-from-criteria`);
    if (res.status !== 200) throw new Error(`enroll-from-criteria: ${res.status} ${JSON.stringify(res.body)}`);
    return `enrolled ${String(res.body.enrolled_count)}, already ${String(res.body.already_enrolled_count)}, listed ${(res.body.enrollments as unknown[]).length}`;
  };

  const byTag = await campaign({ tags: ['bench'] });
  await timed(`enroll-from-criteria, tag only (${CONTACTS} targeted)`, () => enroll(byTag));
  const byLead = await campaign({ tags: ['bench'], lead_stages: ['sql'], min_lead_score: 40, lead_sources: ['web'] });
  await timed(`enroll-from-criteria, through the leads (${CONTACTS} targeted)`, () => enroll(byLead));
  const preview = await campaign({ tags: ['bench'] });
  await timed('preview GET /targeted-contacts?limit=50', async () => {
    const res = await call('GET', `/api/v1/campaigns/${preview}/targeted-contacts?limit=50`);
    return `total ${String(res.body.total)}, page ${(res.body.data as unknown[]).length}`;
  });
  await timed('enroll-from-criteria again (all enrolled already)', () => enroll(byTag));
  await timed('performance', async () => `enrolled ${String((await call('GET', `/api/v1/campaigns/${byTag}/performance`)).body.enrolled)}`);
  clearInterval(sampler);

  const enrollments = await conn.collection('campaign_enrollments').countDocuments({ campaign_id: byTag });
  console.log(`\ncampaign 1 has ${enrollments} enrollments; target < ${TARGET_SECONDS} s per 100,000: ${results.slice(0, 2).every((r) => r.seconds < TARGET_SECONDS) ? 'met' : 'NOT met'}`);

  await conn.dropDatabase().catch(() => undefined);
  await deps.close();
  await mongoChild?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
