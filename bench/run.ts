/**
 * `npm run bench`: the message-road benchmark. Starts a fake Graph API in this process, then for
 * each scenario deletes Puente's Redis keys (`puente:*`), starts a fresh Puente (role `all`) as a
 * child process and drives it from a separate load-client process. Prints a markdown report and
 * writes it to `bench/results/latest.md`. `npm run bench -- --help` lists the flags.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { installCleanup, killAll, niceBench, repoRoot } from './lib/children.js';
import { BENCH_GRAPH_TOKEN, type BenchContext, type Scenario } from './lib/context.js';
import { startFakeGraph } from './lib/fake-graph.js';
import { startMongoServer, type MongoServer } from './lib/mongo-server.js';
import { helpText, parseOptions, type ScenarioName } from './lib/options.js';
import { redisVersion } from './lib/redis-keys.js';
import { machineInfo, renderReport, writeReport, type ScenarioReport } from './lib/report.js';
import { e2eScenario } from './scenarios/e2e.js';
import { campaignScenario } from './scenarios/campaign.js';
import { handoverScenario } from './scenarios/handover.js';
import { ingestScenario } from './scenarios/ingest.js';
import { kneeScenario } from './scenarios/knee.js';
import { orderScenario } from './scenarios/order.js';

const SCENARIOS: Record<ScenarioName, Scenario> = { ingest: ingestScenario, e2e: e2eScenario, order: orderScenario, handover: handoverScenario, campaign: campaignScenario, knee: kneeScenario };

/** `abc1234 (+ uncommitted changes in 3 files outside bench/)`: which Puente code the figures belong to. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    // Not trimmed: the first line's status column may start with a space (" M path").
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' });
    const dirty = status.split('\n').filter((l) => l && !l.slice(3).startsWith('bench/')).length;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` (+ uncommitted changes in ${dirty} files outside bench/)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** The report header's MongoDB line. */
function mongoMode(mode: 'separate' | 'memory' | 'env', mongo: MongoServer | undefined): string {
  if (mode === 'separate') return `separate (embedded store in its own process, devstack/mongo/cli.ts, at ${mongo?.address}; fresh database per scenario; its CPU shown as MongoDB)`;
  return mode === 'memory' ? 'memory:// (embedded, in Puente’s process)' : 'MONGODB_URI from the environment';
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (!options) {
    console.log(helpText());
    return 0;
  }
  installCleanup();
  const gitRevision = revision(); // at the start: others may change the code while the bench runs
  const startedAt = Date.now();
  const loadBefore = os.loadavg()[0] ?? NaN;
  const log = (message: string) => console.error(`[bench +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
  const redis = await redisVersion(options.redisUrl);
  if (!redis) throw new Error(`Redis at ${options.redisUrl} does not answer`);

  if (options.niceFakes) {
    niceBench(19);
    log('bench process and load client at nice 19, Puente and MongoDB at 0 (--nice-fakes)');
  }
  if (options.dist) {
    log('building Puente (npm run build) to run it as shipped');
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  let mongo: MongoServer | undefined;
  if (options.mongo === 'separate') {
    mongo = await startMongoServer(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(repoRoot, options.profileDir, 'mongo')}`] : []);
    log(`embedded MongoDB at ${mongo.address} (pid ${mongo.pid})`);
  }
  const fake = await startFakeGraph({ delayMs: options.graphDelayMs, token: BENCH_GRAPH_TOKEN });
  const ctx: BenchContext = { options, fake, runId: startedAt.toString(36), log, ...(mongo ? { mongo } : {}) };
  const sections: ScenarioReport[] = [];
  let failed = false;
  try {
    for (const name of options.scenarios) {
      log(`scenario ${name}`);
      try {
        sections.push(await SCENARIOS[name](ctx));
      } catch (err) {
        failed = true;
        log(`scenario ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        sections.push({ title: `${name}: FAILED`, rows: [], notes: [String(err instanceof Error ? (err.stack ?? err.message) : err)] });
      }
    }
  } finally {
    await fake.close();
    await mongo?.stop();
  }

  const info = machineInfo({
    'puente revision': gitRevision,
    redis: `${redis} at ${options.redisUrl}`,
    mongodb: mongoMode(options.mongo, mongo),
    'fake Graph delay': `${options.graphDelayMs} ms`,
    WHATSAPP_MAX_MPS: String(options.mps),
    PUENTE_WORKER_PROCESSES: options.workerProcesses > 0 ? `${options.workerProcesses} (HTTP in the role-all process, workers forked at nice 5${Number(process.env.PUENTE_BACKGROUND_WORKER_PROCESSES ?? 1) > 0 ? `, plus ${Number(process.env.PUENTE_BACKGROUND_WORKER_PROCESSES ?? 1)} for the background queues at nice ${process.env.PUENTE_BACKGROUND_WORKER_NICE ?? 10}${process.env.PUENTE_BACKGROUND_WORKER_IDLE === 'false' ? '' : ' under SCHED_IDLE'}` : ''})` : '0 (HTTP and workers in one process)',
    mode: options.quick ? 'quick' : 'full',
    priorities: options.niceFakes ? 'bench (fake Graph, fake CRM) and load client at nice 19; Puente and MongoDB at 0 (--nice-fakes)' : 'everything at the same priority',
    'Puente runs': options.dist ? 'compiled (dist/src/app/main.js, as the image runs it)' : 'under tsx (src/app/main.ts; a cold process also compiles every module)',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    'load average (1 min) at start / end': `${loadBefore.toFixed(2)} / ${(os.loadavg()[0] ?? NaN).toFixed(2)} (other processes on the machine skew the figures)`,
    'total time': `${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  });
  const markdown = renderReport(info, sections);
  console.log(markdown);
  const out = path.resolve(repoRoot, options.out);
  await writeReport(out, markdown);
  log(`report written to ${path.relative(process.cwd(), out)}`);
  const missed = sections.some((s) => s.rows.some((r) => r.pass === false));
  if (missed) log('some targets were missed (see ❌ above)');
  return failed ? 1 : 0;
}

main()
  .then((code) => {
    killAll();
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    killAll();
    process.exit(1);
  });
