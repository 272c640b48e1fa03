/**
 * Scenario 4, handover: N users in an active handover (walked in through the real bot flow, not
 * measured), then (a) per user M agent messages via `POST /api/crm/send-message`, each after the
 * previous 200, all users at once, checked on arrival at the fake Graph, and (b) per user M text
 * webhooks, each after the previous ack, checked on arrival at the fake CRM's `/api/bot/user-message`.
 * A user's sends are serial behind a 150 ms answer, so the limit is min(MPS, N / delay).
 */
import http from 'node:http';
import { nowMs, sleep, waitUntil } from '../lib/clock.js';
import { countOps, freshPuente, puentePids, stopPuente, type BenchContext } from '../lib/context.js';
import { opCountReport } from '../lib/op-counts.js';
import { startCpuMeter } from '../lib/cpu.js';
import { startFakeCrm } from '../lib/fake-crm.js';
import { checkSequences, inParallel, postCrmApi, postInbound, sentText, walkIntoHandover, type SequenceVerdict } from '../lib/handover-driver.js';
import { startProbe } from '../lib/puente-probe.js';
import { fmt, fmtCounts, fmtCpu, fmtCpuPerMessage, fmtLatency, logNotes, probeNotes, type ReportRow, type ScenarioReport } from '../lib/report.js';
import { summarize, tally } from '../lib/stats.js';
import { userPhone } from '../lib/webhook-payloads.js';

type Arrival = { user: number; n: number; at: number };

/** Waits until `lastAt()` is at least `quietMs` old (late duplicates), at most `maxMs`. */
async function quiet(lastAt: () => number, quietMs: number, maxMs: number): Promise<void> {
  const deadline = nowMs() + maxMs;
  while (nowMs() < deadline && nowMs() - lastAt() < quietMs) await sleep(100);
}

/**
 * The arrivals among `records()` from index `from` on, parsing each record once: the waits poll
 * every 50 ms, and re-parsing every request body per poll took CPU from Puente on the same cores.
 */
function arrivalsSince<T>(records: () => T[], from: number, parse: (record: T) => Arrival[]): () => Arrival[] {
  const arrivals: Arrival[] = [];
  let next = from;
  return () => {
    const all = records();
    for (; next < all.length; next++) arrivals.push(...parse(all[next] as T));
    return arrivals;
  };
}

/** Sends `messages` calls per user, serially per user, all users at once; returns send times and statuses. */
/** Every call the fake CRM answered. */
const crmCalls = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

async function drive(users: number, messages: number, send: (u: number, n: number) => Promise<{ status: number; body: string }>) {
  const sentAt = Array.from({ length: users }, () => new Array<number>(messages).fill(NaN));
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  const started = nowMs();
  await inParallel(users, users, async (u) => {
    for (let n = 0; n < messages; n++) {
      (sentAt[u] as number[])[n] = nowMs();
      const r = await send(u, n);
      tally(statuses, r.status);
      if (r.status !== 200 && failures.length < 3) failures.push(`user ${u} message ${n}: ${r.status} ${r.body.slice(0, 160)}`);
    }
  });
  return { sentAt, statuses, failures, started, sendSeconds: (nowMs() - started) / 1000 };
}

/** Report rows of one measured direction. */
function phaseRows(label: string, v: SequenceVerdict, d: Awaited<ReturnType<typeof drive>>, total: number, limit: number): ReportRow[] {
  const seconds = (v.lastAt - d.started) / 1000;
  const rate = v.arrived / seconds;
  const non200 = total - (d.statuses['200'] ?? 0);
  const zero = (metric: string, n: number): ReportRow => ({ metric: `${label}: ${metric}`, value: String(n), target: '0', pass: n === 0 });
  return [
    { metric: `${label}: rate (first send → last arrival)`, value: `${fmt(rate, 0)} msg/s = ${fmt(rate / limit, 2)} × limit ${fmt(limit, 0)} msg/s (${v.arrived} in ${fmt(seconds, 2)} s)`, target: '≥ 0.80 × limit', pass: rate / limit >= 0.8 },
    zero('lost', v.lost),
    zero('duplicated', v.duplicated),
    zero('out of order', v.outOfOrder),
    { metric: `${label}: send → arrival p50 / p99`, value: fmtLatency(summarize(v.latencies)) },
    { metric: `${label}: gap between a user's consecutive arrivals p50 / p99`, value: fmtLatency(summarize(v.gaps)) },
    {
      metric: `${label}: a user's first arrival after the first send / its first → last arrival, p50 / p99`,
      value: `${fmtLatency(summarize(v.firstAt.filter(Number.isFinite).map((t) => t - d.started)))} / ${fmtLatency(summarize(v.firstAt.map((t, u) => (v.userLastAt[u] as number) - t).filter(Number.isFinite)))}`,
    },
    { metric: `${label}: non-200 calls`, value: `${non200} (${fmtCounts(d.statuses)}); all sent in ${fmt(d.sendSeconds, 2)} s`, target: '0', pass: non200 === 0 },
  ];
}

/** Runs the handover scenario. */
export async function handoverScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const { users, messages, crmDelayMs } = ctx.options.handover;
  const total = users * messages;
  const offset = 5_000_000 + (Number.parseInt(ctx.runId, 36) % 4_000) * 1_000; // phones unused by earlier runs (persistent MONGODB_URI)
  const phones = Array.from({ length: users }, (_, u) => userPhone(offset + u));
  const userOf = new Map(phones.map((p, u) => [p, u]));
  ctx.fake.reset();
  const crm = await startFakeCrm(crmDelayMs);
  const agent = new http.Agent({ keepAlive: true, maxSockets: users + 8 });
  const puente = await freshPuente(ctx, { CRM_BASE_URL: crm.url, HANDOVER_ASSIGN_TIMEOUT_SECONDS: '3600', HANDOVER_IDLE_TIMEOUT_SECONDS: '3600' });
  try {
    const setupStart = nowMs();
    const tickets = new Array<string>(users);
    await inParallel(users, users, async (u) => {
      tickets[u] = await walkIntoHandover({ agent, puenteUrl: puente.url, fake: ctx.fake, crm, wamidPrefix: `wamid.bench-${ctx.runId}h-setup` }, phones[u] as string);
    });
    const setupSeconds = (nowMs() - setupStart) / 1000;
    await quiet(() => Math.max(ctx.fake.lastRequestAt, crm.lastRequestAt), 500, 5_000);
    // Warm-up (not measured): one message each way per user, drained, so the measured phases start
    // with the relay paths compiled and the connections open, as in a process that has been running.
    const warmup = ctx.options.handover.warmupMessages;
    if (warmup > 0) {
      const graphBefore = ctx.fake.replies.length;
      const crmBefore = crm.userMessages.length;
      await drive(users, warmup, (u, n) =>
        postCrmApi(agent, puente.url, '/api/crm/send-message', { ticketId: tickets[u], userPhone: phones[u], agentId: 'agent_1', message: `warm-up ${n}`, messageType: 'text' }),
      );
      await drive(users, warmup, (u, n) => postInbound(agent, puente.url, phones[u] as string, `wamid.bench-${ctx.runId}h-warm-${u}-${n}`, { type: 'text', text: { body: `warm-up ${n}` } }));
      await waitUntil(() => ctx.fake.replies.length - graphBefore >= users * warmup && crm.userMessages.length - crmBefore >= users * warmup, 60_000, 50);
      await quiet(() => Math.max(ctx.fake.lastRequestAt, crm.lastRequestAt), 500, 5_000);
    }
    ctx.log(`handover: ${users} users in an active ticket after ${fmt(setupSeconds)} s; ${users} × ${messages} agent messages`);
    const graphFrom = ctx.fake.replies.length;
    const crmFrom = crm.userMessages.length;
    const stopProbe = await startProbe(puente.url, puente.opsUrl);
    ctx.fake.counts.maxInFlight = 0;
    const waitMs = ctx.options.replyTimeoutSeconds * 1000;

    // (a) agent → user
    const windowA = nowMs();
    const meterA = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'bench (client, fake Graph, fake CRM)' });
    const httpA = { graph: { ...ctx.fake.counts }, crm: { ...crm.counts } };
    const opsA = await countOps(ctx, puente);
    const a = await drive(users, messages, (u, n) =>
      postCrmApi(agent, puente.url, '/api/crm/send-message', { ticketId: tickets[u], userPhone: phones[u], agentId: 'agent_1', message: `m${n}`, messageType: 'text' }),
    );
    const agentArrivals = arrivalsSince(() => ctx.fake.replies, graphFrom, (r) => {
      const user = userOf.get(r.to);
      const m = /^m(\d+)$/.exec(sentText(r.body));
      return user === undefined || !m ? [] : [{ user, n: Number(m[1]), at: r.at }];
    });
    const aComplete = await waitUntil(() => agentArrivals().length >= total, waitMs, 50);
    const cpuA = await meterA();
    const windowAMs = nowMs() - windowA;
    const countsA = await opsA();
    const httpCallsA = { 'send-message (bench → Puente)': a.sentAt.flat().filter(Number.isFinite).length, 'Graph messages': ctx.fake.counts.replies - httpA.graph.replies, 'Graph mark-read': ctx.fake.counts.markRead - httpA.graph.markRead, 'CRM calls': crmCalls(crm.counts) - crmCalls(httpA.crm) };
    const graphPeak = ctx.fake.counts.maxInFlight;
    await quiet(() => ctx.fake.lastRequestAt, 1_000, 5_000);
    const va = checkSequences(agentArrivals(), a.sentAt, messages);
    const countedA = opCountReport(countsA, va.arrived, httpCallsA);
    const crmFromB = crm.userMessages.length;
    crm.maxInFlight = 0;
    ctx.log(`handover: agent → user done (${va.arrived}/${total}); ${users} × ${messages} user messages`);

    // (b) user → CRM
    const windowB = nowMs();
    const meterB = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'bench (client, fake Graph, fake CRM)' });
    const httpB = { graph: { ...ctx.fake.counts }, crm: { ...crm.counts } };
    const opsB = await countOps(ctx, puente);
    const b = await drive(users, messages, (u, n) => postInbound(agent, puente.url, phones[u] as string, `wamid.bench-${ctx.runId}h-${u}-${n}`, { type: 'text', text: { body: `u${n}` } }));
    let misrouted = 0;
    const crmArrivals = arrivalsSince(() => crm.userMessages, crmFromB, (r) => {
      const user = userOf.get(r.userPhone);
      const m = /^u(\d+)$/.exec(r.text ?? '');
      return user === undefined || !m ? [] : [{ user, n: Number(m[1]), at: r.at }];
    });
    const bComplete = await waitUntil(() => crmArrivals().length >= total, waitMs, 50);
    const cpuB = await meterB();
    const windowBMs = nowMs() - windowB;
    const countsB = await opsB();
    const httpCallsB = { 'webhooks (bench → Puente)': b.sentAt.flat().filter(Number.isFinite).length, 'CRM user-message': crm.counts.userMessage - httpB.crm.userMessage, 'CRM other': crmCalls(crm.counts) - crmCalls(httpB.crm) - (crm.counts.userMessage - httpB.crm.userMessage), 'Graph mark-read': ctx.fake.counts.markRead - httpB.graph.markRead, 'Graph messages': ctx.fake.counts.replies - httpB.graph.replies };
    await quiet(() => crm.lastRequestAt, 1_000, 5_000);
    const vb = checkSequences(crmArrivals(), b.sentAt, messages);
    const countedB = opCountReport(countsB, vb.arrived, httpCallsB);
    for (const r of crm.userMessages.slice(crmFromB)) if (tickets[userOf.get(r.userPhone) ?? -1] !== r.ticketId) misrouted++;
    const probe = await stopProbe();

    const graphLimit = Math.min(ctx.options.mps, users / (ctx.options.graphDelayMs / 1000));
    const crmLimit = users / (crmDelayMs / 1000);
    return {
      title: `Handover: ${users} users × ${messages} messages each way, Graph ${ctx.options.graphDelayMs} ms, CRM ${crmDelayMs} ms`,
      rows: [
        { metric: 'Setup (not measured): users walked into an active ticket', value: `${users} in ${fmt(setupSeconds)} s (${crm.counts.lookup} lookups, ${crm.counts.agentRequest} agent requests)` },
        { metric: 'Warm-up (not measured, --handover-warmup): messages per user each way, drained', value: String(ctx.options.handover.warmupMessages) },
        ...phaseRows('Agent → user', va, a, total, graphLimit),
        ...phaseRows('User → CRM', vb, b, total, crmLimit),
        { metric: 'User → CRM: wrong ticketId', value: String(misrouted), target: '0', pass: misrouted === 0 },
        { metric: 'User messages relayed before (b) (should be 0)', value: String(crmFromB - crmFrom) },
        { ...countedA.row, metric: `Agent → user, per message: ${countedA.row.metric.replace('Per exchange: ', '')}` },
        { ...countedB.row, metric: `User → CRM, per message: ${countedB.row.metric.replace('Per exchange: ', '')}` },
      ],
      notes: [
        `Limits: agent → user min(WHATSAPP_MAX_MPS ${ctx.options.mps}, ${users} users / ${ctx.options.graphDelayMs} ms) = ${fmt(graphLimit, 0)} msg/s (a user's sends are serial behind the Graph answer); user → CRM ${users} users / ${crmDelayMs} ms (the fake CRM answers after ${crmDelayMs} ms, --crm-delay) = ${fmt(crmLimit, 0)} msg/s (a conversation's CRM calls are serial).`,
        'Each user sends its next call only after the previous HTTP 200 (send-message, or the webhook ack); all users at once over one keep-alive connection each. Rate = messages arrived / (first send → last arrival). Latency = call start → arrival at the fake Graph / fake CRM.',
        ...(aComplete ? [] : [`Agent → user: not all messages arrived within ${ctx.options.replyTimeoutSeconds} s.`]),
        ...(bComplete ? [] : [`User → CRM: not all messages arrived within ${ctx.options.replyTimeoutSeconds} s.`]),
        `CPU (% of one core) agent → user: ${fmtCpu(cpuA)}; user → CRM: ${fmtCpu(cpuB)}. The load client, fake Graph and fake CRM share the bench process.`,
        `CPU per message (ms of one core; compares runs on machines of different speed): agent → user ${fmtCpuPerMessage(cpuA, windowAMs, va.arrived)}; user → CRM ${fmtCpuPerMessage(cpuB, windowBMs, vb.arrived)}.`,
        `Peak concurrent requests: at the fake Graph during agent → user ${graphPeak}, at the fake CRM during user → CRM ${crm.maxInFlight} (${users} would be every user at once).`,
        `Fake Graph: ${ctx.fake.counts.markRead} mark-reads, ${ctx.fake.counts.replies} sends in total; fake CRM: ${fmtCounts(crm.counts)}.`,
        ...[...va.examples, ...vb.examples, ...a.failures, ...b.failures].map((e) => `Example: ${e}`),
        ...countedA.notes.map((n) => `Agent → user: ${n}`),
        ...countedB.notes.map((n) => `User → CRM: ${n}`),
        ...probeNotes(probe),
        ...logNotes(puente.logs),
      ],
    };
  } finally {
    agent.destroy();
    await stopPuente(ctx, puente);
    await crm.close();
  }
}
