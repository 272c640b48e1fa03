/**
 * Scenario 2, end to end, open loop: new users' first messages offered at a fixed rate (default
 * 1,000 msg/s for 10 s) by a separate load-client process, each send issued at its scheduled time
 * whatever is outstanding. Latency = from the scheduled send time to the first reply's arrival at the
 * fake Graph API (both on the machine-wide monotonic clock). Target: p99 < 100 ms.
 */
import { nowMs, waitUntil } from '../lib/clock.js';
import { countOps, freshPuente, puentePids, stopPuente, type BenchContext } from '../lib/context.js';
import { opCountReport } from '../lib/op-counts.js';
import { startProbe } from '../lib/puente-probe.js';
import { startCpuMeter } from '../lib/cpu.js';
import { runLoad } from '../lib/load-runner.js';
import { cpuMsPerMessage, fmt, fmtCounts, fmtCpu, fmtCpuPerMessage, fmtLatency, logNotes, probeNotes, type ScenarioReport } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { BENCH_WEBHOOK_SECRET, wamidFor } from '../lib/webhook-payloads.js';

/** Warm-up users are numbered from here, apart from the measured ones. */
const WARMUP_USER_OFFSET = 5_000_000;

/** End-to-end p99 must stay below this (ms). */
export const E2E_TARGET_P99_MS = 100;

/** The e2e report plus the figures the knee sweep compares. */
export interface E2eReport extends ScenarioReport {
  latency: { p50: number; p99: number };
  /** CPU ms per exchange, Puente's processes together. */
  puenteCpuMs: number;
}

/** Runs the end-to-end scenario (`load` overrides `--rate`, `--seconds` and `--e2e-warmup`: the knee sweep). */
export async function e2eScenario(ctx: BenchContext, load: BenchContext['options']['e2e'] = ctx.options.e2e): Promise<E2eReport> {
  const { rate, seconds } = load;
  const users = Math.max(1, Math.round(rate * seconds));
  const runId = `${ctx.runId}e`;
  ctx.fake.reset();
  const puente = await freshPuente(ctx);
  let warmupNote = 'No warm-up (--e2e-warmup 0): the first seconds include a cold process.';
  try {
    const warmup = load.warmupSeconds;
    if (warmup > 0) {
      // A fresh process compiles its hot paths and opens its pools during the first seconds; that is
      // measured here separately (other users, same rate), then drained before the measured run.
      const warmRun = `${runId}w`;
      const warmUsers = Math.max(1, Math.round(rate * warmup));
      ctx.log(`e2e: warm-up, ${warmUsers} other users at ${rate} msg/s`);
      const w = await runLoad(
        { kind: 'scheduled', url: `${puente.url}/webhook`, secret: BENCH_WEBHOOK_SECRET, runId: warmRun, userOffset: WARMUP_USER_OFFSET, users: warmUsers, perUser: 1, rate, maxSockets: 1024, ordered: false, retries: 0, maxMs: warmup * 1000 + 10_000 },
        warmup * 1000 + 120_000,
      );
      const warmWamids = Array.from({ length: w.issued }, (_, i) => wamidFor(warmRun, WARMUP_USER_OFFSET + i, 0));
      await waitUntil(() => warmWamids.every((x) => ctx.fake.firstReplyAt.has(x)), 60_000, 100);
      warmupNote = `Warm-up before measuring: ${w.issued} other new users at ${rate} msg/s for ${warmup} s, drained before the measured run; their first reply p50 / p99 = ${fmtLatency(
        summarize(warmWamids.map((x, i) => (ctx.fake.firstReplyAt.get(x) ?? Infinity) - (w.scheduledAt[i] as number))),
      )} (a cold process).`;
    }
    ctx.log(`e2e: ${users} new users' first messages at ${rate} msg/s (open loop)`);
    const stopProbe = await startProbe(puente.url, puente.opsUrl);
    const meterFrom = nowMs();
    const meter = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph' });
    const graphBefore = { ...ctx.fake.counts };
    const ops = await countOps(ctx, puente);
    const r = await runLoad(
      { kind: 'scheduled', url: `${puente.url}/webhook`, secret: BENCH_WEBHOOK_SECRET, runId, userOffset: 0, users, perUser: 1, rate, maxSockets: 1024, ordered: false, retries: 0, maxMs: seconds * 1000 + 10_000 },
      seconds * 1000 + 120_000,
    );
    // Messages Puente may have stored: acked 200, or no answer at all (timeout, reset). An explicit error status means not stored.
    const tracked = Array.from({ length: r.issued }, (_, i) => i).filter((i) => r.status[i] === 200 || r.status[i] === 0);
    const wamids = tracked.map((i) => wamidFor(runId, i, 0));
    const sent = Array.from(r.sentAt.subarray(0, r.issued));
    const firstSent = sent.reduce((a, b) => Math.min(a, b), Infinity);
    const lastSent = sent.reduce((a, b) => Math.max(a, b), -Infinity);
    const timeoutMs = ctx.options.replyTimeoutSeconds * 1000;
    ctx.log(`e2e: sent ${r.issued}, waiting up to ${ctx.options.replyTimeoutSeconds} s for replies`);
    await waitUntil(() => wamids.every((w) => ctx.fake.firstReplyAt.has(w)), Math.max(0, lastSent + timeoutMs - nowMs()), 100);

    const cpuWindowMs = nowMs() - meterFrom;
    const cpu = { ...(await meter()), 'load client (sending only)': r.clientCpuPct };
    const counted = opCountReport(await ops(), r.issued, { 'Graph messages': ctx.fake.counts.replies - graphBefore.replies, 'Graph mark-read': ctx.fake.counts.markRead - graphBefore.markRead, 'Graph other': ctx.fake.counts.other - graphBefore.other });
    const probe = await stopProbe();
    const e2e: number[] = [];
    const e2eFromSent: number[] = [];
    const toMarkRead: number[] = [];
    const readToReply: number[] = [];
    let lost = 0;
    let unansweredUnacked = 0;
    let lateAnsweredUnacked = 0;
    let lastReply = 0;
    const start = r.scheduledAt[tracked[0] ?? 0] as number;
    const bySecond: number[][] = [];
    tracked.forEach((i, k) => {
      const at = ctx.fake.firstReplyAt.get(wamids[k] as string);
      ((bySecond[Math.floor(((r.scheduledAt[i] as number) - start) / 1000)] ??= [])).push(at === undefined ? Infinity : at - (r.scheduledAt[i] as number));
      const readAt = ctx.fake.markReadAt.get(wamids[k] as string);
      if (readAt !== undefined) toMarkRead.push(readAt - (r.scheduledAt[i] as number));
      if (r.status[i] === 0 && at !== undefined) lateAnsweredUnacked++;
      if (at === undefined) {
        if (r.status[i] === 200) lost++;
        else unansweredUnacked++;
        e2e.push(Infinity); // unanswered messages stay in the percentiles (as +∞) rather than vanishing
        return;
      }
      if (readAt !== undefined) readToReply.push(at - readAt);
      lastReply = Math.max(lastReply, at);
      e2e.push(at - (r.scheduledAt[i] as number));
      e2eFromSent.push(at - (r.sentAt[i] as number));
    });
    const latency = summarize(e2e);
    const span = (lastSent - firstSent) / 1000;
    const offered = span > 0 ? (r.issued - 1) / span : NaN;
    const lag = summarize(sent.map((s, i) => s - (r.scheduledAt[i] as number)));
    const ack = summarize(Array.from(r.ackMs.subarray(0, r.issued)).filter(Number.isFinite));
    const non200 = r.issued - (r.statuses['200'] ?? 0);
    const pass = latency.p99 < E2E_TARGET_P99_MS && lost === 0 && non200 === 0;

    const puentePct = Object.entries(cpu).reduce((sum, [name, pct]) => sum + (name.startsWith('Puente') && Number.isFinite(pct) ? pct : 0), 0);
    const puenteCpuMs = cpuMsPerMessage(puentePct, cpuWindowMs, Math.max(1, r.issued));
    return {
      latency: { p50: latency.p50, p99: latency.p99 },
      puenteCpuMs,
      title: `End to end, open loop: ${fmt(rate, 0)} msg/s for ${seconds} s`,
      rows: [
        { metric: 'Webhook → first reply at Graph, p50 / p99', value: fmtLatency(latency), target: `p99 < ${E2E_TARGET_P99_MS} ms`, pass },
        { metric: 'Webhook → first reply, p90', value: `${fmt(latency.p90)} ms` },
        { metric: 'Webhook → mark-read at Graph, p50 / p99', value: fmtLatency(summarize(toMarkRead)) },
        { metric: 'Mark-read → first reply gap, p50 / p99', value: fmtLatency(summarize(readToReply)) },
        { metric: 'Messages offered / achieved offered rate', value: `${r.issued} / ${fmt(offered, 0)} msg/s` },
        { metric: 'Client send lag behind schedule p99 / max', value: `${fmt(lag.p99)} / ${fmt(lag.max)} ms` },
        { metric: 'Webhook ack p50 / p99', value: fmtLatency(ack) },
        { metric: 'Non-200 webhook answers', value: `${non200} (${fmtCounts(r.statuses)})`, target: '0', pass: non200 === 0 },
        { metric: `Acked messages without a reply after ${ctx.options.replyTimeoutSeconds} s`, value: String(lost), target: '0', pass: lost === 0 },
        { metric: 'Last reply after last send', value: lastReply ? `${fmt((lastReply - lastSent) / 1000, 2)} s` : 'n/a' },
        { metric: 'Fake Graph: mark-reads / replies / peak in flight', value: `${ctx.fake.counts.markRead} / ${ctx.fake.counts.replies} / ${ctx.fake.counts.maxInFlight}` },
        { metric: 'CPU ms per exchange, by process', value: fmtCpuPerMessage(cpu, cpuWindowMs, r.issued) },
        counted.row,
      ],
      notes: [
        warmupNote,
        `First reply p50 / p99 by second of the run (warm-up and stalls show here): ${bySecond.map((xs, sec) => `${sec + 1}: ${fmt(summarize(xs).p50, 0)} / ${fmt(summarize(xs).p99, 0)}`).join(' · ')} ms.`,
        `Latency is measured from each message's scheduled send time (open loop, no coordinated omission); unanswered messages count as ∞; from the actual send time p50/p99 = ${fmtLatency(summarize(e2eFromSent))}.`,
        `The fake Graph API answers every request after ${ctx.fake.delayMs} ms; latency is taken when the reply reaches it, so any Graph call the reply had to wait for (none today: the read receipt is sent alongside the reply) would add at least that much.`,
        `CPU (% of one core) from the first send until the last reply: ${fmtCpu(cpu)}.`,
        ...counted.notes,
        ...(Object.keys(r.errors).length ? [`Client errors: ${fmtCounts(r.errors)}`] : []),
        ...(lateAnsweredUnacked + unansweredUnacked
          ? [`Of the webhooks without an HTTP answer, ${lateAnsweredUnacked} were answered on WhatsApp anyway (Puente had stored them) and ${unansweredUnacked} never were; both stay in the latency percentiles (the latter as ∞).`]
          : []),
        ...(r.acks.duplicate ? [`${r.acks.duplicate} webhooks were acked as duplicates (stale dedupe keys?)`] : []),
        ...probeNotes(probe),
        ...logNotes(puente.logs),
      ],
    };
  } finally {
    await stopPuente(ctx, puente);
  }
}
