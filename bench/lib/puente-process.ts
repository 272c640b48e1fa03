/**
 * Starts Puente (`node --import tsx src/app/main.ts`, or `node dist/src/app/main.js` with `--dist`; role `all`) as a child process pointed at the fake
 * Graph API, waits for `/readyz`, and digests its log output (counts per level, the most frequent
 * warnings and errors) for the report. `main.ts` checks its configuration as production does: every
 * secret here has 32+ characters, and `memory://` comes with PUENTE_ALLOW_MEMORY_STORE=true.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import { nowMs, sleep } from './clock.js';
import { freePort, hasExited, spawnJs, spawnTs, stopChild } from './children.js';
import { BENCH_PHONE_NUMBER_ID, BENCH_WEBHOOK_SECRET } from './webhook-payloads.js';

/** How Puente is configured for a run. */
export interface PuenteOptions {
  graphUrl: string;
  graphToken: string;
  redisUrl: string;
  mongodbUri: string;
  mps: number;
  /** PUENTE_WORKER_PROCESSES (0 = workers in the HTTP process). */
  workerProcesses: number;
  logLevel: string;
  /** Extra environment (overrides the defaults below, e.g. `CRM_BASE_URL`). */
  env?: Record<string, string>;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Run the compiled `dist/src/app/main.js` (built beforehand) instead of `src/app/main.ts` under tsx. */
  dist?: boolean;
  /** Abort if /readyz is not 200 by then. */
  readyTimeoutMs?: number;
}

/** Log lines seen from Puente, grouped. */
export interface LogDigest {
  byLevel: Record<string, number>;
  /** `level: msg` → occurrences (warn and above, plus non-JSON lines). */
  messages: Map<string, number>;
  /** The last lines, for post-mortems. */
  tail: string[];
}

/** A running Puente. */
export interface PuenteHandle {
  child: ChildProcess;
  port: number;
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  /** The ops listener (/metrics, /readyz naming what failed), e.g. `http://127.0.0.1:40124`. */
  opsUrl: string;
  logs: LogDigest;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  startupMs: number;
  /** SIGTERM (graceful) with a grace period, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

/** `CRM_API_TOKEN` given to Puente: the bench calls `/api/crm/*` with `Authorization: Bearer` this. */
export const BENCH_CRM_API_TOKEN = 'bench-crm-api-token-0123456789abcdef';
/** The other secrets `npm start` wants (32+ characters each); nothing in the bench checks them. */
const BENCH_SECRET = 'bench-secret-not-checked-0123456789abcdef';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function digest(logs: LogDigest, line: string): void {
  logs.tail.push(line);
  if (logs.tail.length > 40) logs.tail.shift();
  let level = 'text';
  let msg = line.slice(0, 160);
  try {
    const parsed = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    level = LEVELS[parsed.level ?? 0] ?? String(parsed.level);
    msg = `${parsed.msg ?? ''}${parsed.err?.message ? ` (${parsed.err.message.slice(0, 120)})` : ''}`;
  } catch {
    // not pino JSON: keep the raw line
  }
  logs.byLevel[level] = (logs.byLevel[level] ?? 0) + 1;
  if (level !== 'info' && level !== 'debug' && level !== 'trace' && logs.messages.size < 200) {
    const key = `${level}: ${msg}`;
    logs.messages.set(key, (logs.messages.get(key) ?? 0) + 1);
  }
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Spawns Puente and resolves once `/readyz` answers 200; kills it and rejects if it does not. */
export async function startPuente(opts: PuenteOptions): Promise<PuenteHandle> {
  const port = await freePort();
  const opsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PUENTE_ROLE: 'all',
    PORT: String(port),
    OPS_PORT: String(opsPort),
    REDIS_URL: opts.redisUrl,
    MONGODB_URI: opts.mongodbUri,
    ...(opts.mongodbUri === 'memory://' ? { PUENTE_ALLOW_MEMORY_STORE: 'true' } : {}),
    META_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    WEBHOOK_VERIFY_TOKEN: BENCH_SECRET,
    CRM_API_TOKEN: BENCH_CRM_API_TOKEN,
    BOT_API_TOKEN: BENCH_SECRET,
    BOT_SIGNATURE_SECRET: BENCH_SECRET,
    CRM_BASE_URL: `${opts.graphUrl}/crm`,
    WHATSAPP_ACCESS_TOKEN: opts.graphToken,
    WHATSAPP_PHONE_NUMBER_ID: BENCH_PHONE_NUMBER_ID,
    WHATSAPP_API_URL: opts.graphUrl,
    WHATSAPP_API_VERSION: 'v25.0',
    WHATSAPP_MAX_MPS: String(opts.mps),
    PUENTE_WORKER_PROCESSES: String(opts.workerProcesses),
    LOG_LEVEL: opts.logLevel,
    ...opts.env,
  };
  const started = nowMs();
  const stdio: SpawnOptions['stdio'] = ['ignore', 'pipe', 'pipe'];
  const child = opts.dist ? spawnJs('dist/src/app/main.js', { env, stdio }, opts.nodeArgs) : spawnTs('src/app/main.ts', { env, stdio }, opts.nodeArgs);
  const logs: LogDigest = { byLevel: {}, messages: new Map(), tail: [] };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => digest(logs, line));
  }
  const url = `http://127.0.0.1:${port}`;
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  const handle: PuenteHandle = { child, port, url, opsUrl, logs, startupMs: NaN, stop: (graceMs = 10_000) => stopChild(child, graceMs) };

  const deadline = started + (opts.readyTimeoutMs ?? 60_000);
  while (nowMs() < deadline && !hasExited(child)) {
    if ((await getStatus(`${url}/readyz`)) === 200) {
      handle.startupMs = nowMs() - started;
      return handle;
    }
    await sleep(200);
  }
  await handle.stop(2_000);
  throw new Error(`Puente did not become ready (exit code ${child.exitCode}); last output:\n${logs.tail.join('\n')}`);
}
