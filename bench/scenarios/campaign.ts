/**
 * Scenario `campaign`: a WhatsApp campaign over N contacts (100,000; quick 2,000) next to live chat.
 *
 * 1. Seeds N opted-in contacts tagged `campana` straight into the store (as bench/campaign-enroll.ts),
 *    creates a one-step campaign and times `enroll-from-criteria` (target < 30 s).
 * 2. Chat without the campaign: new users' first messages at `--campaign-chat-rate` (50/s) for
 *    `--campaign-chat-seconds`; webhook → first reply at the fake Graph p50/p99.
 * 3. Starts the campaign at `--campaign-rate` msg/s and, while it sends, the same chat load to other
 *    users (target: p99 within 1.2× of step 2). The campaign's send rate is the least-squares slope
 *    of its sends' arrival times at the fake Graph over `--campaign-seconds` (target ±2 %, never above).
 * 4. kill -9 mid-run of the worker process that sends the campaign (the background one, since Puente
 *    forks one by default; the parent forks a new one); the campaign is left
 *    to resume (its run job is handed over after BullMQ's lock, 30 s), then paused; no recipient
 *    may have received its step twice.
 */
import mongoose from 'mongoose';
import { nowMs, sleep, waitUntil } from '../lib/clock.js';
import { backgroundWorkerPids, freshPuente, puentePids, stopPuente, type BenchContext } from '../lib/context.js';
import { startCpuMeter } from '../lib/cpu.js';
import { runLoad } from '../lib/load-runner.js';
import { childPids } from '../lib/cpu.js';
import { fmt, fmtCpu, fmtLatency, logNotes, type ScenarioReport } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { BENCH_WEBHOOK_SECRET, wamidFor } from '../lib/webhook-payloads.js';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnop';
const SEED_BATCH = 10_000;
export const ENROLL_TARGET_SECONDS = 30;
export const CHAT_P99_TARGET_RATIO = 1.2;
/** Chat users of the two chat runs, apart from every other scenario's. */
const CHAT_OFFSET_BASELINE = 7_000_000;
const CHAT_OFFSET_WITH_CAMPAIGN = 7_500_000;

type Json = Record<string, unknown>;

/** Slope of i over t (sends per second), after the first `skip` fraction. */
function slope(times: number[], skip = 0.1): number {
  const ts = [...times].sort((a, b) => a - b).slice(Math.floor(times.length * skip));
  if (ts.length < 3) return NaN;
  const meanT = ts.reduce((s, t) => s + t, 0) / ts.length;
  const meanI = (ts.length - 1) / 2;
  let cov = 0;
  let variance = 0;
  ts.forEach((t, i) => {
    cov += (t - meanT) * (i - meanI);
    variance += (t - meanT) ** 2;
  });
  return (cov / variance) * 1000;
}

export async function campaignScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const o = ctx.options.campaign;
  if (!ctx.mongo) throw new Error('the campaign scenario seeds contacts straight into the store: run it with --mongo separate (the default)');
  ctx.fake.reset();
  const puente = await freshPuente(ctx, { API_ADMIN_KEY: ADMIN_KEY });
  const notes: string[] = [];
  const cpuNotes: string[] = [];
  const conn = await mongoose.createConnection(puente.mongoOps?.uri ?? '').asPromise();
  try {
    const call = async (key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${puente.url}${path}`, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const issued = await call(ADMIN_KEY, 'POST', '/api/v1/admin/orgs/default/api-keys', { name: 'bench', scopes: ['read', 'write'] });
    const key = issued.body.key as string;
    if (!key) throw new Error(`api key: ${issued.status} ${JSON.stringify(issued.body)}`);
    // The contacts' indexes, built as their store would before its first write.
    await call(key, 'POST', '/api/v1/contacts', { phone: '3009999999', name: 'Índices', tags: ['indices'] });

    // 1. Seed and enroll.
    ctx.log(`campaign: seeding ${o.contacts} contacts`);
    const phones: string[] = [];
    const t0 = Date.now() - o.contacts * 10;
    for (let from = 0; from < o.contacts; from += SEED_BATCH) {
      const docs: Json[] = [];
      for (let i = from; i < Math.min(o.contacts, from + SEED_BATCH); i++) {
        const at = new Date(t0 + i * 10);
        const phone = `5731${String(i).padStart(8, '0')}`;
        phones.push(phone);
        docs.push({ _id: `ct_bench${String(i).padStart(10, '0')}`, org_id: 'default', phone, name: `Contacto ${i}`, first_name: `Nombre${i}`, tags: ['campana'], opt_in_status: 'opted_in', consent_history: [], do_not_contact: false, custom_fields: {}, import_ids: [], source: 'bench', created_at: at, updated_at: at });
      }
      await conn.collection('contacts').insertMany(docs as never[], { ordered: false });
    }
    const campaignPhones = new Set(phones);
    const created = await call(key, 'POST', '/api/v1/campaigns', { name: 'Bench', target_criteria: { tags: ['campana'] }, settings: { send_rate: o.rate } });
    const id = created.body.id as string;
    const step = await call(key, 'POST', `/api/v1/campaigns/${id}/messages`, { template_name: 'promo_bench', template_language: 'es', template_parameters: [{ value: '{{first_name}}', fallback: 'cliente' }], delay_amount: 0, delay_unit: 'minutes' });
    if (step.status !== 201) throw new Error(`step: ${step.status} ${JSON.stringify(step.body)}`);
    ctx.log(`campaign: enroll-from-criteria over ${o.contacts} contacts`);
    const e0 = nowMs();
    const enrolled = await call(key, 'POST', `/api/v1/campaigns/${id}/enroll-from-criteria`);
    const enrollSeconds = (nowMs() - e0) / 1000;
    const enrolledCount = Number((enrolled.body as { enrolled_count?: number }).enrolled_count ?? NaN);

    // 2. Chat alone.
    const chat = async (offset: number, runId: string) => {
      const users = Math.max(1, Math.round(o.chatRate * o.chatSeconds));
      const cpu = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph + bench' });
      const r = await runLoad({ kind: 'scheduled', url: `${puente.url}/webhook`, secret: BENCH_WEBHOOK_SECRET, runId, userOffset: offset, users, perUser: 1, rate: o.chatRate, maxSockets: 256, ordered: false, retries: 0, maxMs: o.chatSeconds * 1000 + 10_000 }, o.chatSeconds * 1000 + 60_000);
      const wamids = Array.from({ length: r.issued }, (_, i) => wamidFor(runId, offset + i, 0));
      await waitUntil(() => wamids.every((w) => ctx.fake.firstReplyAt.has(w)), 30_000, 100);
      cpuNotes.push(`${runId.endsWith('ca') ? 'chat alone' : runId.endsWith('cc') ? 'chat with the campaign' : 'warm-up'}: ${fmtCpu(await cpu())}`);
      return summarize(wamids.map((w, i) => (ctx.fake.firstReplyAt.get(w) ?? Infinity) - (r.scheduledAt[i] as number)));
    };
    // A short warm-up (not measured): a fresh process compiles its hot paths.
    await chat(CHAT_OFFSET_BASELINE + 400_000, `${ctx.runId}cw`);
    ctx.log(`campaign: chat alone, ${o.chatRate} new users/s for ${o.chatSeconds} s`);
    const alone = await chat(CHAT_OFFSET_BASELINE, `${ctx.runId}ca`);

    // 3. The campaign, with the same chat load during it.
    const sendTimes = () => ctx.fake.replies.filter((r) => campaignPhones.has(r.to));
    ctx.log(`campaign: start at ${o.rate} msg/s for ${o.seconds} s, chat alongside`);
    const started = await call(key, 'POST', `/api/v1/campaigns/${id}/start`);
    if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    const s0 = nowMs();
    await waitUntil(() => sendTimes().length > 0, 10_000, 50);
    const firstSendAfterMs = nowMs() - s0;
    const chatStart = nowMs();
    const during = await chat(CHAT_OFFSET_WITH_CAMPAIGN, `${ctx.runId}cc`);
    const left = o.seconds * 1000 - (nowMs() - chatStart);
    if (left > 0) await sleep(left);
    const measuredSends = sendTimes().map((r) => r.at);
    const measuredFrom = measuredSends[0] ?? 0;
    const window = measuredSends.filter((t) => t <= measuredFrom + o.seconds * 1000);
    const rate = slope(window);
    const endToEnd = window.length > 1 ? ((window.length - 1) / ((window.at(-1) as number) - (window[0] as number))) * 1000 : NaN;

    // 4. kill -9 of the worker process, then recovery.
    // The process sending the campaign: the background worker process when there is one.
    const background = backgroundWorkerPids(puente);
    const workers = o.kill ? (background.length ? background : childPids(puente.child.pid)) : [];
    let killNote = o.kill ? 'no forked worker process to kill (--worker-processes 0): not tested' : 'kill -9 not tested (--campaign-kill 0)';
    let recoveredAfter = NaN;
    if (workers.length > 0) {
      const before = sendTimes().length;
      ctx.log(`campaign: kill -9 worker ${workers[0]} after ${before} sends`);
      process.kill(workers[0] as number, 'SIGKILL');
      const killedAt = nowMs();
      await sleep(1_000);
      const afterKill = sendTimes().length;
      // The run job held by the dead worker is handed over after BullMQ's lock (30 s).
      await waitUntil(() => sendTimes().some((r) => r.at > killedAt + 2_000), 90_000, 200);
      recoveredAfter = ((sendTimes().find((r) => r.at > killedAt + 2_000)?.at ?? NaN) - killedAt) / 1000;
      await sleep(3_000);
      killNote = `kill -9 of the ${background.length ? 'background ' : ''}worker process (pid ${workers[0]}) after ${before} campaign sends; ${afterKill - before} more arrived in the next second (requests already on their way), sending resumed ${fmt(recoveredAfter, 1)} s after the kill (BullMQ hands a dead worker's job over after its 30 s lock).`;
    }
    await call(key, 'POST', `/api/v1/campaigns/${id}/pause`);
    await sleep(1_500);
    const all = sendTimes();
    const perPhone = new Map<string, number>();
    for (const r of all) perPhone.set(r.to, (perPhone.get(r.to) ?? 0) + 1);
    const twice = [...perPhone.values()].filter((n) => n > 1).length;
    const uncertain = await fetch(`${puente.opsUrl}/metrics`).then((r) => r.text()).then((t) => /puente_whatsapp_send_failures_total\{code="SEND_UNCERTAIN"[^}]*\} (\d+)/.exec(t)?.[1] ?? '0').catch(() => '?');
    const ratio = during.p99 / alone.p99;
    notes.push(
      `Campaign rate = least-squares slope of its sends' arrival times at the fake Graph over the first ${o.seconds} s after the first send (first 10 % skipped); first-to-last over the same window: ${fmt(endToEnd, 2)} msg/s; first send ${fmt(firstSendAfterMs, 0)} ms after /start (scheduler tick 1 s).`,
      killNote,
      `Sends given up as uncertain after the kill (at most once: the killed worker's requests in flight are not sent again): ${uncertain}.`,
      `Chat: ${o.chatRate} new users/s for ${o.chatSeconds} s, webhook → first reply at the fake Graph (${ctx.fake.delayMs} ms answers), after a ${o.chatSeconds} s warm-up to other users.`,
      `CPU (% of one core) during each chat run: ${cpuNotes.join('; ')}.`,
      ...logNotes(puente.logs),
    );
    return {
      title: `Campaign: ${o.contacts} contacts, ${o.rate} msg/s for ${o.seconds} s, chat ${o.chatRate} users/s alongside`,
      rows: [
        { metric: `enroll-from-criteria of ${o.contacts} contacts`, value: `${fmt(enrollSeconds, 1)} s (${enrolledCount} enrolled)`, target: `< ${ENROLL_TARGET_SECONDS} s`, pass: enrollSeconds < ENROLL_TARGET_SECONDS && enrolledCount === o.contacts },
        { metric: 'Campaign send rate at Graph', value: `${fmt(rate, 2)} msg/s (${window.length} sends; ${fmt(((rate - o.rate) / o.rate) * 100, 2)} %)`, target: `${o.rate} − 2 % … ${o.rate} (+0.5 % measurement noise)`, pass: rate >= o.rate * 0.98 && rate <= o.rate * 1.005 },
        { metric: 'Chat first reply p50 / p99, no campaign', value: fmtLatency(alone) },
        { metric: 'Chat first reply p50 / p99, campaign sending', value: fmtLatency(during), target: `p99 ≤ ${CHAT_P99_TARGET_RATIO}× alone`, pass: ratio <= CHAT_P99_TARGET_RATIO },
        { metric: 'Recipients who got the step twice (kill -9 mid-run)', value: `${twice} of ${perPhone.size}`, target: '0', pass: twice === 0 && workers.length > 0 },
      ],
      notes,
    };
  } finally {
    await conn.close().catch(() => undefined);
    await stopPuente(ctx, puente);
  }
}
