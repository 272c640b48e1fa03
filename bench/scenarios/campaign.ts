/**
 * Scenario `campaign`: a WhatsApp campaign over N contacts (100,000; quick 2,000) next to live chat.
 *
 * 1. Seeds N opted-in contacts tagged `campana` straight into the store (as bench/campaign-enroll.ts),
 *    creates a one-step campaign and times `enroll-from-criteria` (target < 30 s).
 * 2. Chat without and with the campaign: `--campaign-rounds` rounds (4) in ABBA order, each a
 *    `--campaign-chat-seconds` phase (10) of new users' first messages at `--campaign-chat-rate` (50/s)
 *    with the campaign paused (its queued sends drained) and one with it sending at `--campaign-rate`;
 *    webhook → first reply at the fake Graph, p99 over the phases of each kind pooled (target: with ≤
 *    1.2× without). Alternating cancels the machine's drift over the run, which one phase of each
 *    (500 replies, p99 = the fifth slowest) could not: single pairs measured 0.65–3.6×.
 * 3. The campaign's send rate: the least-squares slope of its sends' arrival times at the fake Graph
 *    over `--campaign-seconds` after its last resume (target ±2 %, never above).
 * 4. kill -9 mid-run of the worker process that sends the campaign (the background one, since Puente
 *    forks one by default; the parent forks a new one); the campaign is left
 *    to resume (its run job is handed over after BullMQ's lock, 30 s), then paused; no recipient
 *    may have received its step twice.
 */
import mongoose from 'mongoose';
import { nowMs, sleep, waitUntil } from '../lib/clock.js';
import { backgroundWorkerPids, countOps, freshPuente, puentePids, stopPuente, type BenchContext } from '../lib/context.js';
import { startCpuMeter } from '../lib/cpu.js';
import { runLoad } from '../lib/load-runner.js';
import { childPids } from '../lib/cpu.js';
import { opCountReport } from '../lib/op-counts.js';
import { fmt, fmtCpu, fmtCpuPerMessage, fmtLatency, logNotes, type ScenarioReport } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { BENCH_WEBHOOK_SECRET, wamidFor } from '../lib/webhook-payloads.js';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnop';
const SEED_BATCH = 10_000;
export const ENROLL_TARGET_SECONDS = 30;
export const CHAT_P99_TARGET_RATIO = 1.2;
/** Chat users of the warm-up and the phases, apart from every other scenario's. */
const CHAT_OFFSET = 7_000_000;

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

    // 2. Chat without and with the campaign, in alternating phases.
    const usersPerPhase = Math.max(1, Math.round(o.chatRate * o.chatSeconds));
    const chat = async (offset: number, runId: string, label: string): Promise<number[]> => {
      const cpu = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph + bench' });
      const r = await runLoad({ kind: 'scheduled', url: `${puente.url}/webhook`, secret: BENCH_WEBHOOK_SECRET, runId, userOffset: offset, users: usersPerPhase, perUser: 1, rate: o.chatRate, maxSockets: 256, ordered: false, retries: 0, maxMs: o.chatSeconds * 1000 + 10_000 }, o.chatSeconds * 1000 + 60_000);
      const wamids = Array.from({ length: r.issued }, (_, i) => wamidFor(runId, offset + i, 0));
      await waitUntil(() => wamids.every((w) => ctx.fake.firstReplyAt.has(w)), 30_000, 100);
      cpuNotes.push(`${label}: ${fmtCpu(await cpu())}`);
      return wamids.map((w, i) => (ctx.fake.firstReplyAt.get(w) ?? Infinity) - (r.scheduledAt[i] as number));
    };
    // A short warm-up (not measured): a fresh process compiles its hot paths.
    await chat(CHAT_OFFSET, `${ctx.runId}cw`, 'warm-up');

    const sendTimes = () => ctx.fake.replies.filter((r) => campaignPhones.has(r.to));
    let state: 'draft' | 'active' | 'paused' = 'draft';
    let firstSendAfterMs = NaN;
    /** Starts or resumes the campaign and waits for its first send after that. */
    const sending = async (): Promise<void> => {
      if (state === 'active') return;
      const before = sendTimes().length;
      const action = state === 'draft' ? 'start' : 'resume';
      const res = await call(key, 'POST', `/api/v1/campaigns/${id}/${action}`);
      if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
      const s0 = nowMs();
      await waitUntil(() => sendTimes().length > before, 10_000, 50);
      if (state === 'draft') firstSendAfterMs = nowMs() - s0;
      state = 'active';
    };
    /** Pauses the campaign and waits until no send has arrived for a second (its queued items drained). */
    const quiet = async (): Promise<void> => {
      if (state !== 'active') return;
      const res = await call(key, 'POST', `/api/v1/campaigns/${id}/pause`);
      if (res.status !== 200) throw new Error(`pause: ${res.status} ${JSON.stringify(res.body)}`);
      state = 'paused';
      await waitUntil(() => nowMs() - (sendTimes().at(-1)?.at ?? 0) > 1_000, 15_000, 100);
    };
    // Rounds in ABBA order (alone, with; with, alone; …), so a drift of the machine over the run
    // weighs on both sides alike; each phase to new users.
    ctx.log(`campaign: ${o.rounds} rounds of chat at ${o.chatRate} new users/s, ${o.chatSeconds} s without and ${o.chatSeconds} s with the campaign at ${o.rate} msg/s`);
    const pooled = { alone: [] as number[], with: [] as number[] };
    const phaseP99 = { alone: [] as number[], with: [] as number[] };
    const phases: string[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? (['alone', 'with'] as const) : (['with', 'alone'] as const);
      for (const [j, kind] of order.entries()) {
        if (kind === 'with') await sending();
        else await quiet();
        const phase = round * 2 + j;
        ctx.log(`campaign: round ${round + 1}, chat ${kind === 'alone' ? 'without' : 'with'} the campaign`);
        const latencies = await chat(CHAT_OFFSET + (phase + 1) * Math.max(10_000, usersPerPhase), `${ctx.runId}c${phase}`, `round ${round + 1} ${kind === 'alone' ? 'without' : 'with'} the campaign`);
        pooled[kind].push(...latencies);
        const sum = summarize(latencies);
        phaseP99[kind].push(sum.p99);
        phases.push(`${round + 1}${kind === 'alone' ? 'A' : 'C'} ${fmt(sum.p50, 1)}/${fmt(sum.p99, 1)}`);
      }
    }
    const alone = summarize(pooled.alone);
    const during = summarize(pooled.with);

    // 3. The send rate, over a run of its own.
    ctx.log(`campaign: send rate at ${o.rate} msg/s over ${o.seconds} s`);
    const resumedAt = nowMs();
    await sending();
    await waitUntil(() => sendTimes().some((r) => r.at >= resumedAt), 10_000, 50);
    const measuredFrom = sendTimes().find((r) => r.at >= resumedAt)?.at ?? resumedAt;
    // What one send costs, counted over the same window (no chat then): operations and CPU.
    const graphBefore = { ...ctx.fake.counts };
    const ops = await countOps(ctx, puente);
    const cpu = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph + bench' });
    const countedFrom = nowMs();
    await sleep(Math.max(0, measuredFrom + o.seconds * 1000 - nowMs()));
    const cpuAlone = await cpu();
    const cpuWindowMs = nowMs() - countedFrom;
    const countedSends = sendTimes().filter((r) => r.at >= countedFrom).length;
    const counted = opCountReport(await ops(), countedSends, { 'Graph messages': ctx.fake.counts.replies - graphBefore.replies, 'Graph other': ctx.fake.counts.other + ctx.fake.counts.markRead - graphBefore.other - graphBefore.markRead }, 'campaign send');
    const window = sendTimes().map((r) => r.at).filter((t) => t >= measuredFrom && t <= measuredFrom + o.seconds * 1000);
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
    // A second view, robust to one stall of the box (one phase's p99): the median phase's p99 of each kind.
    const medianP99 = { alone: summarize(phaseP99.alone).p50, with: summarize(phaseP99.with).p50 };
    notes.push(
      `Campaign rate = least-squares slope of its sends' arrival times at the fake Graph over ${o.seconds} s from the first send after its last resume, after the chat phases (first 10 % skipped); first-to-last over the same window: ${fmt(endToEnd, 2)} msg/s; first send ${fmt(firstSendAfterMs, 0)} ms after /start (scheduler tick 1 s).`,
      killNote,
      `Sends given up as uncertain after the kill (at most once: the killed worker's requests in flight are not sent again): ${uncertain}.`,
      `Chat: ${o.chatRate} new users/s, webhook → first reply at the fake Graph (${ctx.fake.delayMs} ms answers), after a ${o.chatSeconds} s warm-up to other users; ${o.rounds} rounds in ABBA order, each a ${o.chatSeconds} s phase without the campaign (paused, its queued sends drained) and one with it sending, to new users each; p99 is over every phase of its kind pooled (${alone.count} and ${during.count} replies). Per phase, p50/p99 ms (A = without, C = with the campaign): ${phases.join('; ')}. The median phase's p99 (lower median), robust to one stall of the box: ${fmt(medianP99.alone, 1)} ms without, ${fmt(medianP99.with, 1)} ms with the campaign (${fmt(medianP99.with / medianP99.alone, 2)}×).`,
      `CPU (% of one core) during each chat run: ${cpuNotes.join('; ')}.`,
      `CPU per campaign send (ms of one core), over the rate window with no chat (${countedSends} sends in ${fmt(cpuWindowMs / 1000, 1)} s): ${fmtCpuPerMessage(cpuAlone, cpuWindowMs, countedSends)}.`,
      ...counted.notes,
      ...logNotes(puente.logs),
    );
    return {
      title: `Campaign: ${o.contacts} contacts, ${o.rate} msg/s for ${o.seconds} s, chat ${o.chatRate} users/s alongside`,
      rows: [
        { metric: `enroll-from-criteria of ${o.contacts} contacts`, value: `${fmt(enrollSeconds, 1)} s (${enrolledCount} enrolled)`, target: `< ${ENROLL_TARGET_SECONDS} s`, pass: enrollSeconds < ENROLL_TARGET_SECONDS && enrolledCount === o.contacts },
        { metric: 'Campaign send rate at Graph', value: `${fmt(rate, 2)} msg/s (${window.length} sends; ${fmt(((rate - o.rate) / o.rate) * 100, 2)} %)`, target: `${o.rate} − 2 % … ${o.rate} (+0.5 % measurement noise)`, pass: rate >= o.rate * 0.98 && rate <= o.rate * 1.005 },
        { metric: 'Chat first reply p50 / p99, no campaign', value: fmtLatency(alone) },
        {
          metric: 'Chat first reply p50 / p99, campaign sending',
          value: `${fmtLatency(during)}; ${fmt(ratio, 2)}× alone, median phase ${fmt(medianP99.with / medianP99.alone, 2)}×`,
          target: `p99 ≤ ${CHAT_P99_TARGET_RATIO}× alone, pooled and median phase`,
          pass: ratio <= CHAT_P99_TARGET_RATIO && medianP99.with / medianP99.alone <= CHAT_P99_TARGET_RATIO,
        },
        counted.row,
        { metric: 'Recipients who got the step twice (kill -9 mid-run)', value: `${twice} of ${perPhone.size}`, target: '0', pass: twice === 0 && workers.length > 0 },
      ],
      notes,
    };
  } finally {
    await conn.close().catch(() => undefined);
    await stopPuente(ctx, puente);
  }
}
