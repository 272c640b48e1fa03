/** What every scenario gets from the orchestrator, and the shape of a scenario module. */
import path from 'node:path';
import { getPriority } from 'node:os';
import { repoRoot } from './children.js';
import { childPids } from './cpu.js';
import { deleteKeys } from './redis-keys.js';
import type { FakeGraph } from './fake-graph.js';
import type { MongoServer } from './mongo-server.js';
import { startMongoOpCounter, startOpCounts, type MongoOpCounter, type OpCounts } from './op-counts.js';
import type { BenchOptions } from './options.js';
import { startPuente, type PuenteHandle } from './puente-process.js';
import type { ScenarioReport } from './report.js';

/** Shared state of one bench run. */
export interface BenchContext {
  options: BenchOptions;
  /** The fake Graph API (reset it at the start of a scenario). */
  fake: FakeGraph;
  /** Unique per bench run; scenarios append their own suffix for wamids. */
  runId: string;
  /** Progress line on stderr. */
  log(message: string): void;
  /** The separate MongoDB process (`--mongo separate`), or undefined. */
  mongo?: MongoServer;
}

/** Databases handed out so far in this bench process (each Puente run gets a fresh one). */
let databases = 0;

/**
 * Child pids whose CPU a scenario reports: Puente (its HTTP process, and each worker process it
 * forked), plus MongoDB when it runs as its own process.
 */
export function puentePids(ctx: BenchContext, puente: PuenteHandle): Record<string, number | undefined> {
  const workers = childPids(puente.child.pid);
  const background = backgroundWorkerPids(puente);
  const conversation = workers.filter((pid) => !background.includes(pid));
  const named = (kind: string, pids: number[]) => pids.map((pid, i) => [pids.length > 1 ? `Puente ${kind} ${i + 1}` : `Puente ${kind}`, pid] as const);
  return {
    [workers.length > 0 ? 'Puente HTTP' : 'Puente']: puente.child.pid,
    ...Object.fromEntries([...named(background.length ? 'conversation workers' : 'workers', conversation), ...named('background workers', background)]),
    ...(ctx.mongo ? { MongoDB: ctx.mongo.pid } : {}),
  };
}

/**
 * The forked worker processes that run the background queues (campaigns, event webhooks, scoring):
 * those at the lowest priority when the nice values differ (PUENTE_BACKGROUND_WORKER_NICE 10 against
 * PUENTE_WORKER_NICE 5 by default); none when every worker process runs every queue.
 */
export function backgroundWorkerPids(puente: PuenteHandle): number[] {
  const workers = childPids(puente.child.pid).flatMap((pid) => {
    try {
      return [{ pid, nice: getPriority(pid) }];
    } catch {
      return []; // gone meanwhile
    }
  });
  const lowest = Math.max(...workers.map((w) => w.nice));
  return workers.length > 1 && workers.some((w) => w.nice < lowest) ? workers.filter((w) => w.nice === lowest).map((w) => w.pid) : [];
}

/** A Puente started by {@link freshPuente}: with the separate store, its MongoDB commands are counted. */
export type BenchPuente = PuenteHandle & { mongoOps?: MongoOpCounter };

/** Starts counting Redis and MongoDB operations (and MONITOR with `--monitor`) for a measured window. */
export function countOps(ctx: BenchContext, puente: BenchPuente): Promise<() => Promise<OpCounts>> {
  return startOpCounts({ redisUrl: ctx.options.redisUrl, monitor: ctx.options.monitor, ...(puente.mongoOps ? { mongo: puente.mongoOps } : {}) });
}

/** A scenario: drives a freshly started Puente and returns its report section. */
export type Scenario = (ctx: BenchContext) => Promise<ScenarioReport>;

/** Token the fake Graph API expects and Puente is given. */
export const BENCH_GRAPH_TOKEN = 'bench-graph-token-0123456789abcdef'; // 32+ characters: main.ts checks as production does

/**
 * Deletes Puente's Redis keys and starts a fresh Puente against the fake Graph API, so each
 * scenario sees no backlog, lane or dedupe key of another.
 */
export async function freshPuente(ctx: BenchContext, env: Record<string, string> = {}): Promise<BenchPuente> {
  const removed = await deleteKeys(ctx.options.redisUrl, 'puente:');
  if (removed > 0) ctx.log(`deleted ${removed} Redis keys matching puente:*`);
  // Puente reaches the separate store through a proxy that counts its commands (op-counts.ts).
  const mongoOps = ctx.mongo ? await startMongoOpCounter(ctx.mongo.uriFor(`puente_bench_${ctx.runId}_${++databases}`)) : undefined;
  const started = startPuente({
    graphUrl: ctx.fake.url,
    graphToken: BENCH_GRAPH_TOKEN,
    redisUrl: ctx.options.redisUrl,
    mongodbUri: mongoOps ? mongoOps.uri : ctx.options.mongodbUri,
    mps: ctx.options.mps,
    workerProcesses: ctx.options.workerProcesses,
    logLevel: ctx.options.logLevel,
    dist: ctx.options.dist,
    env,
    nodeArgs: ctx.options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(repoRoot, ctx.options.profileDir)}`] : [],
  });
  const puente: BenchPuente = await started.catch(async (err: unknown) => {
    await mongoOps?.close();
    throw err;
  });
  if (mongoOps) puente.mongoOps = mongoOps;
  ctx.log(`Puente ready on ${puente.url} (pid ${puente.child.pid}) after ${Math.round(puente.startupMs)} ms`);
  return puente;
}

/** Stops Puente gracefully; longer when profiling, since V8 writes the profile only on a clean exit. */
export async function stopPuente(ctx: BenchContext, puente: BenchPuente): Promise<void> {
  await puente.stop(ctx.options.profileDir ? 30_000 : 3_000);
  await puente.mongoOps?.close();
}
