/**
 * The two load shapes, run inside the load-client process (`bench/workers/load-client.ts`):
 * a closed loop (N connections, each sends its next request when the previous one answered) and an
 * open, clock-scheduled loop (request i is issued at start + i/rate whether or not earlier ones
 * answered), optionally holding back a user's next message until its previous one was acked.
 */
import http from 'node:http';
import { nowMs, sleep } from './clock.js';
import { selfCpuPct } from './cpu.js';
import { ackCounts, postWebhook, REQUEST_TIMEOUT_MS } from './http-post.js';
import { Recorder, tally, type LatencySummary } from './stats.js';
import { buildWebhook } from './webhook-payloads.js';

interface JobBase {
  /** Full URL to POST to, e.g. `http://127.0.0.1:3000/webhook`. */
  url: string;
  secret: string;
  /** Makes wamids unique per run. */
  runId: string;
  /** First user number of this job. */
  userOffset: number;
}

/** Closed loop: every request is a new user's first message. */
export interface ClosedLoopJob extends JobBase {
  kind: 'closed';
  concurrency: number;
  /** Requests during the warm-up are sent but not measured. */
  warmupMs: number;
  durationMs: number;
  /** Hard cap on requests (warm-up included). */
  maxRequests: number;
}

/** What a closed loop measured (warm-up excluded). */
export interface ClosedLoopResult {
  requests: number;
  /** Every request sent, warm-up included. */
  issued: number;
  seconds: number;
  rps: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  acks: { queued: number; duplicate: number };
  bodyBytes: number;
  /** CPU of the load-client process over the whole job, % of one core. */
  clientCpuPct: number;
}

/** Open loop: message i goes to user `i % users` as its message `floor(i / users)` (users interleaved). */
export interface ScheduledJob extends JobBase {
  kind: 'scheduled';
  users: number;
  perUser: number;
  /** Messages per second offered. */
  rate: number;
  maxSockets: number;
  /** Issue a user's message n+1 only after message n was answered (200 or given up). */
  ordered: boolean;
  /** Re-sends (same body, same wamid) after a non-200 or network error. */
  retries: number;
  /** Stop scheduling after this long even if messages remain. */
  maxMs: number;
}

/** Per-message timings of a scheduled run, indexed like the job's messages; times are {@link nowMs} values. */
export interface ScheduledResult {
  /** Messages issued (≤ users × perUser when `maxMs` cut the run short). */
  issued: number;
  scheduledAt: Float64Array;
  sentAt: Float64Array;
  /** Time from the last attempt's send to its answer; NaN without an answer. */
  ackMs: Float64Array;
  /** Final HTTP status per message, 0 for no answer (or not finished when the job's drain deadline passed, see `statuses.unfinished`). */
  status: Int32Array;
  attempts: Int32Array;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  acks: { queued: number; duplicate: number };
  /** CPU of the load-client process over the whole job, % of one core. */
  clientCpuPct: number;
}

/**
 * A keep-alive agent. The idle `timeout` makes Node honour the server's `Keep-Alive: timeout=N` hint
 * (closing idle sockets 1 s before the server would), so a request is never written onto a socket the
 * server is closing — an ECONNRESET that would be the client's fault, not the server's.
 */
function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, timeout: 60_000 });
}

/** Runs a closed loop until its duration or request cap; never throws for HTTP failures. */
export async function runClosedLoop(job: ClosedLoopJob): Promise<ClosedLoopResult> {
  const url = new URL(job.url);
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const agent = keepAliveAgent(job.concurrency);
  const measureFrom = nowMs() + job.warmupMs;
  const end = measureFrom + job.durationMs;
  const latency = new Recorder();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const acks = { queued: 0, duplicate: 0 };
  let next = 0;
  let completed = 0;
  let bodyBytes = 0;
  let consecutiveErrors = 0;

  async function connection(): Promise<void> {
    while (nowMs() < end && next < job.maxRequests && consecutiveErrors < 1000) {
      const wh = buildWebhook(job.secret, job.runId, job.userOffset + next++, 0);
      bodyBytes = wh.body.length;
      const t0 = nowMs();
      const res = await postWebhook(agent, url, wh.body, wh.signature);
      const t1 = nowMs();
      if (res.status === 0) {
        consecutiveErrors++;
        await sleep(1);
      } else consecutiveErrors = 0;
      if (t0 < measureFrom || t1 > end) continue;
      completed++;
      latency.add(t1 - t0);
      tally(statuses, res.status);
      if (res.error) tally(errors, res.error);
      const ack = ackCounts(res.body);
      if (ack) {
        acks.queued += ack.queued;
        acks.duplicate += ack.duplicate;
      }
    }
  }

  await Promise.all(Array.from({ length: job.concurrency }, connection));
  agent.destroy();
  const seconds = job.durationMs / 1000;
  const clientCpuPct = selfCpuPct(cpu0, nowMs() - t0);
  return { requests: completed, issued: next, seconds, rps: completed / seconds, latency: latency.summary(), statuses, errors, acks, bodyBytes, clientCpuPct };
}

/** Runs a clock-scheduled (open) loop; resolves when every issued message was answered or timed out. */
export async function runScheduled(job: ScheduledJob): Promise<ScheduledResult> {
  const url = new URL(job.url);
  const total = job.users * job.perUser;
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const agent = keepAliveAgent(job.maxSockets);
  const r: ScheduledResult = {
    issued: 0,
    scheduledAt: new Float64Array(total).fill(NaN),
    sentAt: new Float64Array(total).fill(NaN),
    ackMs: new Float64Array(total).fill(NaN),
    status: new Int32Array(total),
    attempts: new Int32Array(total),
    statuses: {},
    errors: {},
    acks: { queued: 0, duplicate: 0 },
    clientCpuPct: NaN,
  };
  const previous = new Map<number, Promise<void>>(); // user → its last message's completion
  const inFlight = new Set<Promise<void>>();

  async function send(i: number): Promise<void> {
    const user = job.userOffset + (i % job.users);
    const wh = buildWebhook(job.secret, job.runId, user, Math.floor(i / job.users));
    for (let attempt = 1; attempt <= 1 + job.retries; attempt++) {
      const t0 = nowMs();
      if (attempt === 1) r.sentAt[i] = t0;
      r.attempts[i] = attempt;
      const res = await postWebhook(agent, url, wh.body, wh.signature);
      r.status[i] = res.status;
      if (res.error) tally(r.errors, res.error);
      tally(r.statuses, res.status);
      if (res.status !== 0) r.ackMs[i] = nowMs() - t0;
      if (res.status === 200) {
        const ack = ackCounts(res.body);
        r.acks.queued += ack?.queued ?? 0;
        r.acks.duplicate += ack?.duplicate ?? 0;
        return;
      }
      if (attempt <= job.retries) await sleep(100 * attempt);
    }
  }

  function launch(i: number): void {
    const user = i % job.users;
    const before = job.ordered ? previous.get(user) : undefined;
    const p = (before ? before.then(() => send(i)) : send(i)).finally(() => inFlight.delete(p));
    if (job.ordered) previous.set(user, p);
    inFlight.add(p);
  }

  const start = nowMs() + 20;
  const intervalMs = 1000 / job.rate;
  let i = 0;
  while (i < total) {
    const now = nowMs();
    if (now - start > job.maxMs) break;
    while (i < total && start + i * intervalMs <= now) {
      r.scheduledAt[i] = start + i * intervalMs;
      launch(i++);
    }
    await sleep(1);
  }
  r.issued = i;
  // A user's chain of messages may still be waiting behind slow acks when scheduling ends.
  const drainDeadline = nowMs() + (job.ordered ? job.perUser : 1) * (1 + job.retries) * (REQUEST_TIMEOUT_MS + 5_000);
  while (inFlight.size > 0 && nowMs() < drainDeadline) await Promise.race([sleep(1_000), ...inFlight]);
  if (inFlight.size > 0) r.statuses['unfinished'] = inFlight.size; // should not happen: every request has a hard deadline
  agent.destroy();
  r.clientCpuPct = selfCpuPct(cpu0, nowMs() - t0);
  return r;
}
