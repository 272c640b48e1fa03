/** What every scenario gets from the orchestrator, and the shape of a scenario module. */
import path from 'node:path';
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
  return {
    [workers.length > 0 ? 'Puente HTTP' : 'Puente']: puente.child.pid,
    ...Object.fromEntries(workers.map((pid, i) => [workers.length > 1 ? `Puente workers ${i + 1}` : 'Puente workers', pid])),
    ...(ctx.mongo ? { MongoDB: ctx.mongo.pid } : {}),
  };
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
