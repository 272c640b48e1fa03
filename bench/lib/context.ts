/** What every scenario gets from the orchestrator, and the shape of a scenario module. */
import path from 'node:path';
import { repoRoot } from './children.js';
import { childPids } from './cpu.js';
import { deleteKeys } from './redis-keys.js';
import type { FakeGraph } from './fake-graph.js';
import type { MongoServer } from './mongo-server.js';
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

/** A scenario: drives a freshly started Puente and returns its report section. */
export type Scenario = (ctx: BenchContext) => Promise<ScenarioReport>;

/** Token the fake Graph API expects and Puente is given. */
export const BENCH_GRAPH_TOKEN = 'bench-graph-token-0123456789abcdef'; // 32+ characters: main.ts checks as production does

/**
 * Deletes Puente's Redis keys and starts a fresh Puente against the fake Graph API, so each
 * scenario sees no backlog, lane or dedupe key of another.
 */
export async function freshPuente(ctx: BenchContext, env: Record<string, string> = {}): Promise<PuenteHandle> {
  const removed = await deleteKeys(ctx.options.redisUrl, 'puente:');
  if (removed > 0) ctx.log(`deleted ${removed} Redis keys matching puente:*`);
  const puente = await startPuente({
    graphUrl: ctx.fake.url,
    graphToken: BENCH_GRAPH_TOKEN,
    redisUrl: ctx.options.redisUrl,
    mongodbUri: ctx.mongo ? ctx.mongo.uriFor(`puente_bench_${ctx.runId}_${++databases}`) : ctx.options.mongodbUri,
    mps: ctx.options.mps,
    workerProcesses: ctx.options.workerProcesses,
    logLevel: ctx.options.logLevel,
    env,
    nodeArgs: ctx.options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(repoRoot, ctx.options.profileDir)}`] : [],
  });
  ctx.log(`Puente ready on ${puente.url} (pid ${puente.child.pid}) after ${Math.round(puente.startupMs)} ms`);
  return puente;
}

/** Stops Puente gracefully; longer when profiling, since V8 writes the profile only on a clean exit. */
export function stopPuente(ctx: BenchContext, puente: PuenteHandle): Promise<void> {
  return puente.stop(ctx.options.profileDir ? 30_000 : 3_000);
}
