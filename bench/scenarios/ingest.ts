/**
 * Scenario 1, ingest: signed webhooks at full speed (closed loop, N connections, every request a new
 * user's first message) from a separate load-client process against Puente, then the same client,
 * body size, concurrency and duration against a plain `node:http` hello-world server.
 * Target: Puente req/s ≥ 0.20 × hello-world req/s.
 */
import { forkTs, stopChild } from '../lib/children.js';
import { nowMs } from '../lib/clock.js';
import { countOps, freshPuente, puentePids, stopPuente, type BenchContext, type BenchPuente } from '../lib/context.js';
import { opCountReport, type OpCounts } from '../lib/op-counts.js';
import { startProbe, type ProbeReport } from '../lib/puente-probe.js';
import { startCpuMeter, type CpuShares } from '../lib/cpu.js';
import type { ClosedLoopJob, ClosedLoopResult } from '../lib/http-load.js';
import { runLoad } from '../lib/load-runner.js';
import { fmt, fmtCounts, fmtCpu, fmtCpuPerMessage, fmtLatency, logNotes, probeNotes, type ScenarioReport } from '../lib/report.js';
import { BENCH_WEBHOOK_SECRET } from '../lib/webhook-payloads.js';

/** Puente must reach this fraction of hello-world's req/s. */
export const INGEST_TARGET_RATIO = 0.2;

async function startHello(): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
  const child = forkTs('bench/workers/hello-server.ts');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hello-world server did not start within 30 s')), 30_000);
    child.once('message', (msg) => {
      clearTimeout(timer);
      resolve((msg as { port: number }).port);
    });
    child.once('exit', () => reject(new Error('hello-world server exited')));
  });
  return { url: `http://127.0.0.1:${port}/webhook`, pid: child.pid, stop: () => stopChild(child, 2_000) };
}

/** Runs the ingest scenario. */
export async function ingestScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const o = ctx.options.ingest;
  const job = (url: string, suffix: string): ClosedLoopJob => ({
    kind: 'closed',
    url,
    secret: BENCH_WEBHOOK_SECRET,
    runId: `${ctx.runId}i${suffix}`,
    userOffset: 0,
    concurrency: o.concurrency,
    warmupMs: o.warmupSeconds * 1000,
    durationMs: o.seconds * 1000,
    maxRequests: 5_000_000,
  });
  const loadTimeout = (o.warmupSeconds + o.seconds) * 1000 + 60_000;
  ctx.fake.reset();

  // hello-world before and after Puente: other load on the machine shows up as a gap between the two.
  const hello = await startHello();
  const helloRuns: Array<{ result: ClosedLoopResult; cpu: CpuShares }> = [];
  const runHello = async (suffix: string) => {
    ctx.log(`ingest: ${o.concurrency} connections, ${o.warmupSeconds}+${o.seconds} s against node:http hello-world`);
    const meter = await startCpuMeter({ pids: { 'hello-world': hello.pid } });
    const result = await runLoad(job(hello.url, suffix), loadTimeout);
    helloRuns.push({ result, cpu: { ...(await meter()), 'load client': result.clientCpuPct } });
  };
  let p: ClosedLoopResult;
  let puenteCpu: CpuShares;
  let probe: ProbeReport;
  let puente: BenchPuente | undefined;
  let counts: OpCounts;
  let cpuWindowMs: number;
  const graphBefore = { ...ctx.fake.counts };
  try {
    await runHello('h1');
    puente = await freshPuente(ctx);
    ctx.log(`ingest: same load against Puente`);
    const stopProbe = await startProbe(puente.url, puente.opsUrl);
    const meterFrom = nowMs();
    const meter = await startCpuMeter({ pids: puentePids(ctx, puente), redisUrl: ctx.options.redisUrl, selfName: 'fake Graph' });
    const ops = await countOps(ctx, puente);
    p = await runLoad(job(`${puente.url}/webhook`, 'p'), loadTimeout);
    cpuWindowMs = nowMs() - meterFrom;
    puenteCpu = { ...(await meter()), 'load client': p.clientCpuPct };
    counts = await ops();
    probe = await stopProbe();
    await stopPuente(ctx, puente); // its backlog is thrown away (keys are deleted before the next start)
    await runHello('h2');
  } finally {
    if (puente) await stopPuente(ctx, puente);
    await hello.stop();
  }
  const graphDuring = { markRead: ctx.fake.counts.markRead - graphBefore.markRead, replies: ctx.fake.counts.replies - graphBefore.replies };
  // Counted over the whole window (warm-up included), per webhook answered in it: what ingest costs,
  // plus whatever share of the backlog the workers processed meanwhile (the Graph calls say how much).
  const counted = opCountReport(counts, p.issued, { 'Graph messages': graphDuring.replies, 'Graph mark-read': graphDuring.markRead });
  const [h1, h2] = helloRuns.map((run) => run.result) as [ClosedLoopResult, ClosedLoopResult];
  const helloRps = (h1.rps + h2.rps) / 2;
  const ratio = p.rps / helloRps;
  const non200 = (r: ClosedLoopResult) => r.requests - (r.statuses['200'] ?? 0);
  return {
    title: 'Ingest: signed webhooks, closed loop',
    rows: [
      { metric: 'Puente webhook req/s', value: fmt(p.rps, 0) },
      { metric: 'Puente ack latency p50 / p99', value: fmtLatency(p.latency) },
      { metric: 'Puente non-200 answers', value: `${non200(p)} (${fmtCounts(p.statuses)})`, target: '0', pass: non200(p) === 0 },
      { metric: 'Puente acks queued / duplicate', value: `${p.acks.queued} / ${p.acks.duplicate}` },
      { metric: 'hello-world req/s (before / after Puente)', value: `${fmt(helloRps, 0)} (${fmt(h1.rps, 0)} / ${fmt(h2.rps, 0)})` },
      { metric: 'hello-world latency p50 / p99 (after)', value: fmtLatency(h2.latency) },
      { metric: 'Ratio Puente / mean hello-world', value: `${fmt(ratio, 3)}×`, target: `≥ ${INGEST_TARGET_RATIO}×`, pass: ratio >= INGEST_TARGET_RATIO },
      { metric: 'CPU ms per webhook, by process (warm-up included)', value: fmtCpuPerMessage(puenteCpu, cpuWindowMs, p.issued) },
      counted.row,
    ],
    notes: [
      `${o.concurrency} keep-alive connections from a separate load-client process, ${o.warmupSeconds} s warm-up then ${o.seconds} s measured per target; body ${p.bodyBytes} bytes, every request a new user (a new lane).`,
      `CPU (% of one core) during the Puente run: ${fmtCpu(puenteCpu)}; during the hello-world runs: ${helloRuns.map((r) => fmtCpu(r.cpu)).join(' / ')}.`,
      `${
        ctx.options.workerProcesses > 0
          ? `Puente's workers run in ${ctx.options.workerProcesses} forked process(es) at nice 5 (role all, PUENTE_WORKER_PROCESSES) and work through the backlog while ingest runs, sharing the machine's cores`
          : "Puente's workers run in the same process (role all) and compete with ingest"
      }: during the run the fake Graph API received ${graphDuring.markRead} mark-read and ${graphDuring.replies} reply requests.`,
      ...(Object.keys(p.errors).length ? [`Puente client errors: ${fmtCounts(p.errors)}`] : []),
      ...[h1, h2].filter((h) => Object.keys(h.errors).length).map((h) => `hello-world client errors: ${fmtCounts(h.errors)}`),
      ...counted.notes,
      ...probeNotes(probe),
      ...logNotes(puente.logs),
    ],
  };
}
