/**
 * Scenario 3, order: U users × M distinct messages, each message its own webhook, interleaved across
 * users (user0 msg0, user1 msg0, …, user0 msg1, …) at a steady rate; a user's message n+1 is sent
 * only after message n was acked. Then every user's replies are checked: lost, duplicated and
 * out-of-order must all be 0.
 */
import { nowMs, sleep, waitUntil } from '../lib/clock.js';
import { freshPuente, puentePids, stopPuente, type BenchContext } from '../lib/context.js';
import { startProbe } from '../lib/puente-probe.js';
import { startCpuMeter } from '../lib/cpu.js';
import { runLoad } from '../lib/load-runner.js';
import { checkOrder } from '../lib/order-check.js';
import { fmt, fmtCounts, fmtCpu, fmtLatency, logNotes, probeNotes, type ScenarioReport } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { BENCH_WEBHOOK_SECRET, wamidFor } from '../lib/webhook-payloads.js';

/** After every message is answered, wait until the fake saw no request for this long (late duplicates). */
const QUIET_MS = 2_000;

/** Runs the order scenario. */
export async function orderScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const { users, messages, rate } = ctx.options.order;
  const total = users * messages;
  const runId = `${ctx.runId}o`;
  ctx.fake.reset();
  const puente = await freshPuente(ctx);
  try {
    ctx.log(`order: ${users} users × ${messages} messages, interleaved at ${rate} webhooks/s`);
    const stopProbe = await startProbe(puente.url, puente.opsUrl);
    const meter = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph' });
    const started = nowMs();
    const r = await runLoad(
      { kind: 'scheduled', url: `${puente.url}/webhook`, secret: BENCH_WEBHOOK_SECRET, runId, userOffset: 0, users, perUser: messages, rate, maxSockets: 256, ordered: true, retries: 3, maxMs: (total / rate) * 1000 + 30_000 },
      (total / rate) * 1000 + messages * 4 * 31_000 + 60_000, // each of a user's messages may take 1 + 3 retries of a 30 s request
    );
    const sendSeconds = (nowMs() - started) / 1000;
    const wamids = Array.from({ length: total }, (_, i) => wamidFor(runId, i % users, Math.floor(i / users)));
    ctx.log(`order: sent ${r.issued} in ${fmt(sendSeconds)} s, waiting up to ${ctx.options.replyTimeoutSeconds} s for replies`);
    const waitStart = nowMs();
    const complete = await waitUntil(() => wamids.every((w) => ctx.fake.firstReplyAt.has(w)), ctx.options.replyTimeoutSeconds * 1000, 200);
    const drainSeconds = (nowMs() - waitStart) / 1000;
    const cpu = { ...(await meter()), 'load client (sending only)': r.clientCpuPct };
    const probe = await stopProbe();
    // Give late duplicates a chance to show up; bounded by the reply timeout.
    const quietDeadline = nowMs() + (complete ? 10_000 : 0);
    while (nowMs() < quietDeadline && nowMs() - ctx.fake.lastRequestAt < QUIET_MS) await sleep(200);

    const v = checkOrder(ctx.fake.replies, runId, 0, users, messages);
    const non200 = Array.from(r.status.subarray(0, r.issued)).filter((s) => s !== 200).length;
    const retried = Array.from(r.attempts.subarray(0, r.issued)).filter((a) => a > 1).length;
    const ack = summarize(Array.from(r.ackMs.subarray(0, r.issued)).filter(Number.isFinite));
    const zero = (metric: string, n: number) => ({ metric, value: String(n), target: '0', pass: n === 0 });
    return {
      title: `Order: ${users} users × ${messages} messages, interleaved`,
      rows: [
        zero('Lost (no reply)', v.lost),
        zero('Duplicated (same reply body twice)', v.duplicated),
        zero('Out of order', v.outOfOrder),
        zero('Misrouted (reply to another user)', v.misrouted),
        { metric: 'Users affected', value: `${v.usersAffected} of ${users}` },
        { metric: 'Messages answered / expected', value: `${v.answered} / ${v.expected}` },
        { metric: 'Replies per answered message (min–max)', value: `${v.repliesPerMessage.min}–${v.repliesPerMessage.max}` },
        { metric: 'Webhooks sent / time / rate', value: `${r.issued} / ${fmt(sendSeconds)} s / ${fmt(r.issued / sendSeconds, 0)} req/s` },
        { metric: 'Webhook ack p50 / p99', value: fmtLatency(ack) },
        { metric: 'Non-200 after retries / retried webhooks', value: `${non200} / ${retried} (${fmtCounts(r.statuses)})`, target: '0', pass: non200 === 0 },
        { metric: 'All replies in after last send', value: complete ? `${fmt(drainSeconds)} s` : `not within ${ctx.options.replyTimeoutSeconds} s` },
        { metric: 'Fake Graph: mark-reads / replies / foreign', value: `${ctx.fake.counts.markRead} / ${ctx.fake.counts.replies} / ${v.foreign}` },
      ],
      notes: [
        'Duplicated = the identical reply request body for the same inbound wamid (`biz_opaque_callback_data`) received more than once; distinct replies to one message are allowed. Out of order = a reply for message n arriving after any reply for a later message of the same user.',
        `CPU (% of one core) from the first send until the last reply: ${fmtCpu(cpu)}.`,
        ...v.examples.map((e) => `Example: ${e}`),
        ...(Object.keys(r.errors).length ? [`Client errors: ${fmtCounts(r.errors)}`] : []),
        ...(r.acks.duplicate ? [`${r.acks.duplicate} webhooks were acked as duplicates (includes retries of webhooks already stored)`] : []),
        ...probeNotes(probe),
        ...logNotes(puente.logs),
      ],
    };
  } finally {
    await stopPuente(ctx, puente);
  }
}
