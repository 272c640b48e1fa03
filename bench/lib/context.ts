/** What every scenario gets from the orchestrator, and the shape of a scenario module. */
import path from 'node:path';
import { repoRoot } from './children.js';
import { deleteKeys } from './redis-keys.js';
import type { FakeGraph } from './fake-graph.js';
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
}

/** A scenario: drives a freshly started Puente and returns its report section. */
export type Scenario = (ctx: BenchContext) => Promise<ScenarioReport>;

/** Token the fake Graph API expects and Puente is given. */
export const BENCH_GRAPH_TOKEN = 'bench-token';

/**
 * Deletes Puente's Redis keys and starts a fresh Puente against the fake Graph API, so each
 * scenario sees no backlog, lane or dedupe key of another.
 */
export async function freshPuente(ctx: BenchContext): Promise<PuenteHandle> {
  const removed = await deleteKeys(ctx.options.redisUrl, 'puente:');
  if (removed > 0) ctx.log(`deleted ${removed} Redis keys matching puente:*`);
  const puente = await startPuente({
    graphUrl: ctx.fake.url,
    graphToken: BENCH_GRAPH_TOKEN,
    redisUrl: ctx.options.redisUrl,
    mongodbUri: ctx.options.mongodbUri,
    mps: ctx.options.mps,
    logLevel: ctx.options.logLevel,
    nodeArgs: ctx.options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(repoRoot, ctx.options.profileDir)}`] : [],
  });
  ctx.log(`Puente ready on ${puente.url} (pid ${puente.child.pid}) after ${Math.round(puente.startupMs)} ms`);
  return puente;
}

/** Stops Puente gracefully; longer when profiling, since V8 writes the profile only on a clean exit. */
export function stopPuente(ctx: BenchContext, puente: PuenteHandle): Promise<void> {
  return puente.stop(ctx.options.profileDir ? 30_000 : 3_000);
}
