import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../../src/app/routes/health.js';
import { combineWorkerProcesses, restartDelay, startWorkerProcesses } from '../../../src/app/worker-processes/index.js';
import { setIdlePolicy } from '../../../src/app/worker-processes/scheduling.js';
import { signBody } from '../../../src/whatsapp/signature.js';
import { createTestDeps, memoryLogger, testEnv } from '../../helpers/deps.js';
import { startFakeGraph } from '../../helpers/fake-graph-server.js';
import { MongoClient } from '../../helpers/mongo-driver.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys, waitFor } from '../../helpers/redis.js';
import { textWebhook } from '../../helpers/road.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const idleChild = fileURLToPath(new URL('../../fixtures/processes/idle-child.mjs', import.meta.url));
const entry = 'test/fixtures/processes/worker-processes-entry.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type LogRecord = { level: number; msg: string; [key: string]: unknown };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Exited (an orphan may stay a zombie for a moment until init reaps it). */
function isGone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Collects a process's JSON log lines (its forked children write to the same stdout). */
function captureLogs(child: ChildProcess) {
  const records: LogRecord[] = [];
  let text = '';
  let partial = '';
  const onData = (d: Buffer) => {
    text += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        // not a log record
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return {
    records,
    text: () => text,
    find: (predicate: (r: LogRecord) => boolean) => records.find(predicate),
  };
}

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** Each thread of a process with its nice value and scheduling policy (`/proc/<pid>/task/<tid>/stat`, fields 19 and 41). */
function threads(pid: number): { tid: number; nice: number; policy: number }[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      return [{ tid: Number(tid), nice: Number(fields[16]), policy: Number(fields[38]) }];
    } catch {
      return []; // exited meanwhile
    }
  });
}

describe('restart backoff', () => {
  it('doubles from 1 s up to 30 s and starts over after a process lived 60 s', () => {
    const delays: number[] = [];
    let next = 1_000;
    for (let i = 0; i < 8; i++) {
      const { delayMs, followingMs } = restartDelay(next, 500);
      delays.push(delayMs);
      next = followingMs;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(restartDelay(next, 60_000)).toEqual({ delayMs: 1_000, followingMs: 2_000 });
  });
});

describe('worker process supervisor', () => {
  const start = (mode: string | undefined, count: number, env: NodeJS.ProcessEnv = {}, idle = false) => {
    const { logger, lines } = memoryLogger('info');
    const supervisor = startWorkerProcesses({
      count,
      nice: 7,
      idle,
      env: { ...process.env, CHILD_MODE: mode, ...env },
      logger,
      entry: idleChild,
      execArgv: [],
      backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
    });
    cleanups.push(async () => {
      for (const pid of supervisor.pids()) killQuietly(pid);
      await supervisor.stop(0);
    });
    const records = () => lines.map((l) => JSON.parse(l) as LogRecord);
    return { supervisor, records };
  };

  it('forks at a lower priority, restarts a killed child and stops the rest with SIGTERM', async () => {
    const { supervisor, records } = start(undefined, 2);
    const first = supervisor.pids();
    expect(first).toHaveLength(2);
    await waitFor(() => supervisor.alive() === 2, 10_000, 'both children ready');
    for (const pid of first) expect(getPriority(pid)).toBeGreaterThanOrEqual(7);

    process.kill(first[0]!, 'SIGKILL');
    await waitFor(() => supervisor.pids().length === 2 && !supervisor.pids().includes(first[0]!), 10_000, 'a replacement child');
    expect(records().find((r) => r.msg.includes('exited unexpectedly'))).toMatchObject({ level: 50, slot: 0, signal: 'SIGKILL', restartInMs: 100 });

    const survivors = supervisor.pids();
    await supervisor.stop(5_000);
    expect(supervisor.alive()).toBe(0);
    for (const pid of [...first, ...survivors]) expect(isAlive(pid)).toBe(false);
    expect(records().filter((r) => r.msg.includes('exited unexpectedly'))).toHaveLength(1);
  });

  it('every thread of a child has its nice value; with `idle` every thread runs under SCHED_IDLE', async () => {
    const idle = start(undefined, 1, {}, true);
    const plain = start(undefined, 1);
    await waitFor(() => idle.supervisor.alive() === 1 && plain.supervisor.alive() === 1, 10_000, 'both children ready');
    const [idlePid] = idle.supervisor.pids();
    const [plainPid] = plain.supervisor.pids();
    // chrt runs after the fork; a child's own threads (V8's helpers, libuv's pool) are several.
    await waitFor(() => threads(idlePid!).every((t) => t.policy === SCHED_IDLE), 10_000, 'every thread of the idle child under SCHED_IDLE');
    expect(threads(idlePid!).length).toBeGreaterThan(1);
    expect(threads(plainPid!).length).toBeGreaterThan(1);
    expect(threads(plainPid!).every((t) => t.policy === SCHED_OTHER)).toBe(true);
    for (const pid of [idlePid!, plainPid!]) for (const t of threads(pid)) expect(t.nice, `thread ${t.tid} of ${pid}`).toBeGreaterThanOrEqual(7);
    expect(idle.records().find((r) => r.msg === 'worker process started')).toMatchObject({ policy: 'idle', nice: 7 });
    expect(idle.records().filter((r) => r.msg.includes('SCHED_IDLE'))).toEqual([]);
  });

  it('says why when a child cannot be put under SCHED_IDLE (no chrt), so the caller can warn', async () => {
    const err = await setIdlePolicy(process.pid, '/nonexistent/chrt');
    expect(err?.message).toMatch(/^\/nonexistent\/chrt: .*ENOENT/);
    expect(threads(process.pid).every((t) => t.policy === SCHED_OTHER)).toBe(true);
  });

  it('hands lanes to the ready children in turn, and answers false while none is ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puente-drain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const drainLog = join(dir, 'requests.jsonl');
    const notReady = start('silent', 1).supervisor;
    expect(notReady.delegateDrain({ mailbox: 'lanes', lane: 'pn:573000000001', jobId: 'd-1' })).toBe(false);

    const { supervisor } = start(undefined, 2, { CHILD_DRAIN_LOG: drainLog });
    await waitFor(() => supervisor.alive() === 2, 10_000, 'both children ready');
    for (let n = 1; n <= 4; n++) expect(supervisor.delegateDrain({ mailbox: 'lanes', lane: `pn:57300000000${n}`, jobId: `d-${n}` })).toBe(true);
    const received = () => (existsSync(drainLog) ? readFileSync(drainLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; jobId: string; lane: string; mailbox: string; type: string }) : []);
    await waitFor(() => received().length === 4, 5_000, 'four drain requests received');
    const requests = received().sort((a, b) => a.jobId.localeCompare(b.jobId));
    expect(requests.map(({ type, mailbox, lane, jobId }) => ({ type, mailbox, lane, jobId }))).toEqual(
      [1, 2, 3, 4].map((n) => ({ type: 'puente:drain', mailbox: 'lanes', lane: `pn:57300000000${n}`, jobId: `d-${n}` })),
    );
    // In turn: each child got two, the same child every other request.
    const [p1, p2, p3, p4] = requests.map((r) => r.pid);
    expect(new Set([p1, p2]).size).toBe(2);
    expect([p3, p4]).toEqual([p1, p2]);
    expect(new Set(requests.map((r) => r.pid))).toEqual(new Set(supervisor.pids()));
  });

  it("collects the children's metrics, leaving out a child that does not answer in time", async () => {
    const answering = start(undefined, 2, { CHILD_METRICS: '3' }).supervisor;
    const mute = start(undefined, 1).supervisor;
    await waitFor(() => answering.alive() === 2 && mute.alive() === 1, 10_000, 'children ready');
    const metrics = await answering.collectMetrics(2_000);
    expect(metrics).toHaveLength(2);
    expect(metrics.flat().map((m) => [m.name, m.values[0]?.value])).toEqual([
      ['test_child_total', 3],
      ['test_child_total', 3],
    ]);
    const started = Date.now();
    expect(await mute.collectMetrics(300)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('counts a child as alive only once it reported that its workers run', async () => {
    const { supervisor } = start('silent', 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(supervisor.pids()).toHaveLength(1);
    expect(supervisor.alive()).toBe(0);
  });

  it('backs off a child that keeps crashing instead of looping', async () => {
    const { supervisor, records } = start('crash', 1);
    await new Promise((r) => setTimeout(r, 2_500));
    await supervisor.stop(1_000);
    const delays = records()
      .filter((r) => r.msg.includes('exited unexpectedly'))
      .map((r) => r.restartInMs);
    // At most 100 + 200 + 400 + 400 + … ms of waiting fit in 2.5 s; a tight loop would have hundreds.
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expect(delays.length).toBeLessThanOrEqual(8);
    expect(delays).toEqual([100, 200, 400, 400, 400, 400, 400, 400].slice(0, delays.length));
  });

  it('kills a child that overruns its shutdown', async () => {
    const { supervisor, records } = start('stubborn', 1);
    const [pid] = supervisor.pids();
    // It reports ready once its SIGTERM handler is installed (a fixed sleep was not enough on a
    // loaded machine: the child died of the SIGTERM).
    await waitFor(() => supervisor.alive() === 1, 10_000, 'the child ready');
    await supervisor.stop(300);
    expect(isAlive(pid!)).toBe(false);
    expect(records().find((r) => r.msg.includes('overran'))).toMatchObject({ level: 50, childPid: pid });
  });

  it('combined with a background group: ready once both started, lanes go only to the conversation children, then readiness counts only them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puente-tiers-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const drainLog = join(dir, 'requests.jsonl');
    const conversation = start(undefined, 1, { CHILD_DRAIN_LOG: drainLog }).supervisor;
    const waiting = combineWorkerProcesses(conversation, start('silent', 1).supervisor);
    await waitFor(() => conversation.alive() === 1, 10_000, 'the conversation child ready');
    // A background child that never reports ready keeps the whole not ready: its boot would land on the first users.
    expect(waiting.alive()).toBe(0);

    const background = start(undefined, 1, { CHILD_DRAIN_LOG: drainLog }).supervisor;
    const both = combineWorkerProcesses(conversation, background);
    await waitFor(() => background.alive() === 1, 10_000, 'the background child ready');
    expect(both.expected).toBe(1);
    expect(both.alive()).toBe(1);
    expect(both.pids().sort()).toEqual([...conversation.pids(), ...background.pids()].sort());

    for (let n = 1; n <= 4; n++) expect(both.delegateDrain({ mailbox: 'lanes', lane: `pn:57300000001${n}`, jobId: `t-${n}` })).toBe(true);
    const received = () => (existsSync(drainLog) ? readFileSync(drainLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number }) : []);
    await waitFor(() => received().length === 4, 5_000, 'four drain requests received');
    expect(new Set(received().map((r) => r.pid))).toEqual(new Set(conversation.pids()));

    // The background child going away does not make the gateway unready.
    const [backgroundPid] = background.pids();
    background.stopRestarting();
    process.kill(backgroundPid!, 'SIGKILL');
    await waitFor(() => background.alive() === 0, 10_000, 'the background child gone');
    expect(both.alive()).toBe(1);

    const conversationPids = conversation.pids();
    await both.stop(5_000);
    for (const pid of conversationPids) expect(isAlive(pid)).toBe(false);
  });
});

describe('/readyz with worker processes', () => {
  it('names the workers when none of them is running', async () => {
    const deps = await createTestDeps();
    cleanups.push(() => deps.cleanup());
    let alive = 0;
    const app = healthRoutes(deps, { detail: true, workerProcesses: { expected: 2, alive: () => alive } });
    const down = await app.request('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', failed: ['workers'] });
    alive = 1;
    const up = await app.request('/readyz');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready' });
  });
});

describe('PUENTE_ROLE=all with PUENTE_WORKER_PROCESSES', () => {
  async function setup() {
    const fake = await startFakeGraph();
    const prefix = `test-${randomUUID()}`;
    const mongoUri = mongoUriFor(uniqueDbName('workerprocs'));
    const env = { ...process.env, ...testEnv, WHATSAPP_API_URL: fake.url, REDIS_URL: TEST_REDIS_URL, MONGODB_URI: mongoUri, TEST_KEY_PREFIX: prefix, WHATSAPP_MAX_MPS: '1000', LOG_LEVEL: 'info', PORT: '0' };
    const pids = new Set<number>();
    cleanups.push(async () => {
      for (const pid of pids) killQuietly(pid);
      await fake.close();
      await deleteKeys(prefix);
      const client = new MongoClient(mongoUri);
      await client
        .db()
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    });
    return { fake, env, pids };
  }

  it('serves HTTP in the parent, processes in a forked worker, restarts it, and stops everything on SIGTERM', async () => {
    const { fake, env, pids } = await setup();
    const parent = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...env, PUENTE_ROLE: 'all', PUENTE_WORKER_PROCESSES: '1', PUENTE_WORKER_NICE: '5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.add(parent.pid!);
    const logs = captureLogs(parent);
    const exited = once(parent, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const started = (role: string, pid?: number) => logs.find((r) => r.msg === 'puente started' && r.role === role && (pid === undefined || r.pid === pid));
    await waitFor(() => started('all') !== undefined, 25_000, 'the parent started');
    const parentStart = started('all')!;
    // One conversation worker process, plus the background one (PUENTE_BACKGROUND_WORKER_PROCESSES, default 1).
    expect(parentStart).toMatchObject({ pid: parent.pid, workerProcesses: 1, backgroundWorkerProcesses: 1 });
    const [firstChild, backgroundChild] = parentStart.pids as number[];
    expect(firstChild).toBeTypeOf('number');
    expect(backgroundChild).toBeTypeOf('number');
    expect(firstChild).not.toBe(parent.pid);
    pids.add(firstChild!);
    pids.add(backgroundChild!);
    await waitFor(() => started('worker', firstChild) !== undefined && started('worker', backgroundChild) !== undefined, 25_000, 'the worker processes started');
    expect(started('worker', firstChild)).toMatchObject({ parentPid: parent.pid, tier: 'conversation' });
    expect(started('worker', backgroundChild)).toMatchObject({ parentPid: parent.pid, tier: 'background' });
    expect(getPriority(firstChild!)).toBe(5);
    expect(getPriority(backgroundChild!)).toBe(10);

    const base = `http://127.0.0.1:${parentStart.port as number}`;
    // The ops listener (metrics, detailed readiness) is the parent's alone: it speaks for its worker processes.
    const ops = `http://127.0.0.1:${parentStart.opsPort as number}`;
    expect(started('worker', firstChild)).not.toHaveProperty('opsPort');
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const post = (body: object) => {
      const raw = JSON.stringify(body);
      return fetch(`${base}/webhook`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
    };
    const repliedTo = (to: string) => fake.acceptedReplies().some((r) => r.body.to === to);
    expect((await post(textWebhook('573400000101', `wamid.wp-${randomUUID()}`, 'hola'))).status).toBe(200);
    await waitFor(() => repliedTo('573400000101'), 20_000, 'a reply from the worker process');
    // The send was counted in the worker process; the parent's /metrics includes it.
    const scrape = async () => (await fetch(`${ops}/metrics`)).text();
    await waitFor(async () => /^puente_whatsapp_sends_total\{result="accepted",service="puente"\} 1$/m.test(await scrape()), 5_000, "the worker's send in /metrics");
    expect(await scrape()).toMatch(/^puente_webhook_items_total\{kind="message",result="queued",service="puente"\} 1$/m);
    // Counted in MongoDB: the parent's own figure, which its worker processes do not even compute.
    expect((await scrape()).match(/^puente_tickets_open\{status="pending",service="puente"\} 0$/gm)).toHaveLength(1);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);

    process.kill(firstChild!, 'SIGKILL');
    const replacement = () => logs.find((r) => r.msg === 'worker process started' && r.workers === 'conversation' && r.childPid !== firstChild);
    await waitFor(() => replacement() !== undefined, 15_000, 'a replacement worker process');
    const secondChild = replacement()!.childPid as number;
    pids.add(secondChild);
    expect(logs.find((r) => r.msg.includes('exited unexpectedly'))).toMatchObject({ level: 50, pid: parent.pid, childPid: firstChild, signal: 'SIGKILL' });
    await waitFor(() => started('worker', secondChild) !== undefined, 25_000, 'the replacement started');

    expect((await post(textWebhook('573400000102', `wamid.wp-${randomUUID()}`, 'hola'))).status).toBe(200);
    await waitFor(() => repliedTo('573400000102'), 20_000, 'a reply from the replacement');

    parent.kill('SIGTERM');
    const [code] = await exited;
    expect(code, logs.text()).toBe(0);
    expect(isAlive(firstChild!)).toBe(false);
    expect(isAlive(secondChild)).toBe(false);
    expect(isAlive(backgroundChild!)).toBe(false);
    expect(logs.records.filter((r) => r.msg === 'shutdown complete').length).toBe(3); // the two workers, then the parent
  }, 90_000);

  it('its worker processes shut down gracefully when the parent dies hard', async () => {
    const { env, pids } = await setup();
    const parent = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...env, PUENTE_ROLE: 'all', PUENTE_WORKER_PROCESSES: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.add(parent.pid!);
    const logs = captureLogs(parent);
    const byChild = (msg: string, pid?: number) => logs.find((r) => r.msg.startsWith(msg) && r.pid !== parent.pid && (pid === undefined || r.pid === pid));
    // Both children (the conversation one and the background one) must be up: one still booting
    // when its parent dies would be left behind by this test otherwise.
    await waitFor(() => logs.records.filter((r) => r.msg === 'puente started' && r.pid !== parent.pid).length === 2, 25_000, 'both worker processes started');
    const childPids = logs.records.filter((r) => r.msg === 'puente started' && r.pid !== parent.pid).map((r) => r.pid as number);
    for (const pid of childPids) pids.add(pid);

    parent.kill('SIGKILL');
    // The orphans keep writing to the inherited stdout pipe, so their goodbyes are still visible here.
    for (const childPid of childPids) {
      await waitFor(() => byChild('shutdown complete', childPid) !== undefined, 25_000, `the orphaned worker ${childPid} shut down`);
      expect(byChild('parent process went away', childPid)).toMatchObject({ level: 40, pid: childPid, parentPid: parent.pid });
      await waitFor(() => isGone(childPid), 10_000, `the orphaned worker ${childPid} exited`);
    }
  }, 60_000);
});
