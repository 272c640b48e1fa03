/** Command-line flags and environment overrides of `npm run bench`. */
import { parseArgs } from 'node:util';

/** The scenarios `--scenario` can pick. */
export const SCENARIO_NAMES = ['ingest', 'e2e', 'order', 'handover', 'campaign', 'knee'] as const;
/** What `--scenario all` runs: every scenario but the knee sweep (a fresh Puente per rate, minutes). */
const ALL_SCENARIOS = SCENARIO_NAMES.filter((s) => s !== 'knee');
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Every knob of a bench run (all durations in seconds, rates in messages per second). */
export interface BenchOptions {
  scenarios: ScenarioName[];
  quick: boolean;
  ingest: { concurrency: number; seconds: number; warmupSeconds: number };
  e2e: { rate: number; seconds: number; /** Same load to other users first, drained, not measured. */ warmupSeconds: number };
  order: { users: number; messages: number; rate: number };
  handover: { users: number; messages: number; crmDelayMs: number; /** Sent and drained each way per user before measuring. */ warmupMessages: number };
  campaign: { contacts: number; rate: number; seconds: number; chatRate: number; chatSeconds: number; rounds: number; kill: boolean };
  /** The e2e scenario at each rate (ascending), a fresh Puente each time, warmed with `e2e.warmupSeconds` of the same rate. */
  knee: { rates: number[]; seconds: number };
  graphDelayMs: number;
  /** How long replies may take after the last webhook was sent before they count as lost. */
  replyTimeoutSeconds: number;
  mps: number;
  /** PUENTE_WORKER_PROCESSES given to Puente (role all): forked worker processes, 0 = in-process. */
  workerProcesses: number;
  redisUrl: string;
  /** `separate`: the embedded store in its own process (started by run.ts); `memory`: inside Puente; `env`: MONGODB_URI. */
  mongo: 'separate' | 'memory' | 'env';
  /** The URI given to Puente for `memory`/`env` (for `separate` each scenario gets a fresh database). */
  mongodbUri: string;
  logLevel: string;
  out: string;
  /** Directory for V8 CPU profiles of Puente (`--cpu-prof`), or undefined. */
  profileDir: string | undefined;
  /** Redis MONITOR during measured windows: Lua calls by script and BullMQ jobs added per exchange (inflates Redis CPU). */
  monitor: boolean;
  /** Bench process (fake Graph, fake CRM) and load client at nice 19, Puente and MongoDB at 0: the load generator takes only idle CPU. */
  niceFakes: boolean;
  /** Run Puente as shipped (`npm run build`, then `node dist/src/app/main.js`) instead of under tsx. */
  dist: boolean;
}

/** `[flag, env var, full default, --quick default, description]` for every numeric knob. */
const NUMERIC = [
  ['concurrency', 'BENCH_CONCURRENCY', 64, 64, 'ingest: concurrent connections (closed loop)'],
  ['ingest-seconds', 'BENCH_INGEST_SECONDS', 8, 3, 'ingest: measured seconds per target'],
  ['warmup', 'BENCH_WARMUP_SECONDS', 1, 0.5, 'ingest: warm-up seconds before measuring'],
  ['rate', 'BENCH_RATE', 1000, 1000, 'e2e: offered messages per second (open loop)'],
  ['seconds', 'BENCH_SECONDS', 10, 2, 'e2e: seconds of offered load'],
  ['e2e-warmup', 'BENCH_E2E_WARMUP_SECONDS', 3, 1, 'e2e: seconds of the same load to other users first, drained, not measured (0 = none)'],
  ['users', 'BENCH_USERS', 2000, 200, 'order: users'],
  ['messages', 'BENCH_MESSAGES', 5, 5, 'order: distinct messages per user'],
  ['order-rate', 'BENCH_ORDER_RATE', 1000, 1000, 'order: webhooks per second'],
  ['handover-users', 'BENCH_HANDOVER_USERS', 100, 20, 'handover: users in an active handover'],
  ['handover-messages', 'BENCH_HANDOVER_MESSAGES', 20, 5, 'handover: messages per user and direction'],
  ['crm-delay', 'BENCH_CRM_DELAY_MS', 150, 150, 'handover: fake CRM answer delay (ms)'],
  ['handover-warmup', 'BENCH_HANDOVER_WARMUP', 1, 1, 'handover: messages per user each way sent and drained before measuring (0 = none)'],
  ['campaign-contacts', 'BENCH_CAMPAIGN_CONTACTS', 100_000, 2_000, 'campaign: contacts seeded and enrolled from criteria'],
  ['campaign-rate', 'BENCH_CAMPAIGN_RATE', 50, 20, 'campaign: settings.send_rate (msg/s)'],
  ['campaign-seconds', 'BENCH_CAMPAIGN_SECONDS', 20, 6, 'campaign: seconds over which its send rate is measured'],
  ['campaign-chat-rate', 'BENCH_CAMPAIGN_CHAT_RATE', 50, 50, 'campaign: new chatting users per second, without and with the campaign'],
  ['campaign-chat-seconds', 'BENCH_CAMPAIGN_CHAT_SECONDS', 10, 3, 'campaign: seconds of each chat phase'],
  ['campaign-rounds', 'BENCH_CAMPAIGN_ROUNDS', 4, 2, 'campaign: rounds of chat, each one phase without and one with the campaign sending (ABBA order)'],
  ['campaign-kill', 'BENCH_CAMPAIGN_KILL', 1, 1, 'campaign: 1 = kill -9 the worker process mid-run (0 = not, e.g. to profile it with --profile)'],
  ['knee-seconds', 'BENCH_KNEE_SECONDS', 5, 3, 'knee: measured seconds per rate'],
  ['graph-delay', 'BENCH_GRAPH_DELAY_MS', 150, 150, 'fake Graph API answer delay (ms)'],
  ['reply-timeout', 'BENCH_REPLY_TIMEOUT', 60, 20, 'seconds after the last send before a reply counts as lost'],
  ['mps', 'BENCH_MPS', 1000, 1000, 'WHATSAPP_MAX_MPS given to Puente'],
  ['worker-processes', 'BENCH_WORKER_PROCESSES', 1, 1, 'PUENTE_WORKER_PROCESSES given to Puente (0 = workers in its HTTP process; forced to 0 with --mongo memory)'],
] as const;

/** The `--help` text. */
export function helpText(): string {
  const flags = NUMERIC.map(([flag, env, full, quick, text]) => `  --${flag.padEnd(15)} ${text} (default ${full}, quick ${quick}; env ${env})`);
  return [
    'Usage: npm run bench -- [--scenario ingest|e2e|order|handover|campaign|knee|all] [--quick] [--mongo separate|memory] [flags]',
    '',
    'Starts Puente (PUENTE_ROLE=all) as a child process against a fake Graph API on loopback, runs the',
    'scenarios and prints a markdown report (also written to --out).',
    '',
    'WARNING: before each scenario every Redis key matching "puente:*" in REDIS_URL (default',
    'redis://127.0.0.1:6379) is DELETED (SCAN + UNLINK). Do not point it at a Redis holding data you need.',
    '',
    '  --scenario        ingest, e2e, order, handover, campaign, knee or all (default all = every one but knee; comma-separated list allowed)',
    '  --mongo           separate: the embedded MongoDB in its own process, a fresh database per scenario;',
    '                    memory: MONGODB_URI=memory:// inside Puente (default separate; env BENCH_MONGO;',
    '                    a MONGODB_URI in the environment overrides both)',
    '  --quick           small numbers, finishes in about a minute',
    ...flags,
    '  --out             report file (default bench/results/latest.md)',
    '  --profile         write V8 CPU profiles of each Puente run to bench/results/profiles/ (the separate MongoDB to profiles/mongo/)',
    '  --dist            build Puente first (npm run build) and run dist/src/app/main.js as the image does, not under tsx',
    '                    (env BENCH_DIST=1; tsx compiles every module at start, which inflates a cold process\'s cost)',
    '  --knee-rates      knee: comma-separated rates (msg/s) of the sweep (default 100,200,300,400,500,700,1000; env BENCH_KNEE_RATES)',
    '  --nice-fakes      run the bench process (fake Graph and CRM) and the load client at nice 19 and Puente and MongoDB',
    '                    at 0 (needs root to lower a priority again; env BENCH_NICE_FAKES=1)',
    '  --monitor         Redis MONITOR while measuring: Lua calls by script and BullMQ jobs added per exchange',
    '                    (env BENCH_MONITOR=1; costs Redis CPU, so that run\'s Redis CPU figure is inflated)',
    '',
    'Environment: REDIS_URL, MONGODB_URI (used as is when set), BENCH_LOG_LEVEL (default info, the default LOG_LEVEL of Puente).',
  ].join('\n');
}

/** Knobs where 0 is meaningful. */
const ZERO_ALLOWED = new Set(['campaign-kill', 'BENCH_CAMPAIGN_KILL', 'worker-processes', 'BENCH_WORKER_PROCESSES', 'e2e-warmup', 'BENCH_E2E_WARMUP_SECONDS', 'handover-warmup', 'BENCH_HANDOVER_WARMUP']);

function numberOf(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !ZERO_ALLOWED.has(name))) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Parses argv and the environment; returns undefined when help was requested. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'all' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      out: { type: 'string', default: 'bench/results/latest.md' },
      profile: { type: 'boolean', default: false },
      monitor: { type: 'boolean', default: false },
      dist: { type: 'boolean', default: false },
      'nice-fakes': { type: 'boolean', default: false },
      'knee-rates': { type: 'string' },
      mongo: { type: 'string' },
      ...Object.fromEntries(NUMERIC.map(([flag]) => [flag, { type: 'string' as const }])),
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick === true || env['BENCH_QUICK'] === '1';
  const num: Record<string, number> = {};
  for (const [flag, envName, full, quickDefault] of NUMERIC) {
    const raw = (values as Record<string, unknown>)[flag];
    num[flag] = numberOf(typeof raw === 'string' ? raw : undefined, flag) ?? numberOf(env[envName], envName) ?? (quick ? quickDefault : full);
  }
  const n = (flag: (typeof NUMERIC)[number][0]): number => num[flag] as number;
  const picked = String(values.scenario).split(',').map((s) => s.trim());
  const scenarios = picked.includes('all') ? [...ALL_SCENARIOS] : picked.filter((s): s is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(s));
  if (!picked.includes('all') && scenarios.length !== picked.length) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')} or all, got "${values.scenario}"`);
  const mongoFlag = values.mongo ?? env['BENCH_MONGO'] ?? 'separate';
  if (mongoFlag !== 'separate' && mongoFlag !== 'memory') throw new Error(`--mongo must be separate or memory, got "${mongoFlag}"`);
  const envUri = env['MONGODB_URI'];
  const kneeRaw = String(values['knee-rates'] ?? env['BENCH_KNEE_RATES'] ?? '100,200,300,400,500,700,1000');
  const kneeRates = kneeRaw.split(',').map((r) => Number(r.trim()));
  if (kneeRates.length === 0 || kneeRates.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--knee-rates must be positive numbers separated by commas, got "${kneeRaw}"`);
  return {
    scenarios,
    quick,
    ingest: { concurrency: Math.round(n('concurrency')), seconds: n('ingest-seconds'), warmupSeconds: n('warmup') },
    e2e: { rate: n('rate'), seconds: n('seconds'), warmupSeconds: n('e2e-warmup') },
    order: { users: Math.round(n('users')), messages: Math.round(n('messages')), rate: n('order-rate') },
    handover: { users: Math.round(n('handover-users')), messages: Math.round(n('handover-messages')), crmDelayMs: n('crm-delay'), warmupMessages: Math.round(n('handover-warmup')) },
    campaign: { contacts: Math.round(n('campaign-contacts')), rate: n('campaign-rate'), seconds: n('campaign-seconds'), chatRate: n('campaign-chat-rate'), chatSeconds: n('campaign-chat-seconds'), rounds: Math.round(n('campaign-rounds')), kill: n('campaign-kill') !== 0 },
    knee: { rates: [...new Set(kneeRates)].sort((a, b) => a - b), seconds: n('knee-seconds') },
    graphDelayMs: n('graph-delay'),
    replyTimeoutSeconds: n('reply-timeout'),
    mps: Math.round(n('mps')),
    // memory:// lives inside one process: forked workers could not reach it.
    workerProcesses: !envUri && mongoFlag === 'memory' ? 0 : Math.round(n('worker-processes')),
    redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    mongo: envUri ? 'env' : mongoFlag,
    mongodbUri: envUri || 'memory://',
    logLevel: env['BENCH_LOG_LEVEL'] ?? 'info',
    out: String(values.out),
    profileDir: values.profile ? 'bench/results/profiles' : undefined,
    monitor: values.monitor === true || env['BENCH_MONITOR'] === '1',
    dist: values.dist === true || env['BENCH_DIST'] === '1',
    niceFakes: values['nice-fakes'] === true || env['BENCH_NICE_FAKES'] === '1',
  };
}
