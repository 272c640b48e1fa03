/**
 * How many operations an exchange costs, counted where they land rather than estimated: Redis
 * commands (`INFO commandstats` deltas: no overhead), Lua calls among them, MongoDB commands (a
 * counting TCP proxy between Puente and the store: one loopback hop, the wire messages' command
 * names read from their headers) and — with `--monitor` — every Lua call by script name and the
 * BullMQ jobs added per queue (Redis MONITOR, which costs Redis CPU: the CPU figures of such a run
 * are inflated for Redis). HTTP calls are counted by the fakes (Graph, CRM) and added by each
 * scenario.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { readLua } from '../../src/platform/redis/script.js';
import { repoRoot } from './children.js';
import { fmt } from './report.js';

/** Counts by name. */
export type Tally = Record<string, number>;

const add = (tally: Tally, name: string, n = 1) => void (tally[name] = (tally[name] ?? 0) + n);
const total = (tally: Tally) => Object.values(tally).reduce((sum, n) => sum + n, 0);
const diff = (after: Tally, before: Tally): Tally => Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

/** Commands that run a Lua script (or function) in Redis. */
const LUA_COMMANDS = ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'];

/** `INFO commandstats` as calls per command (lower case). */
export async function redisCommandCalls(redisUrl: string): Promise<Tally> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    await redis.connect();
    const info = await redis.info('commandstats');
    const tally: Tally = {};
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) tally[(m[1] as string).toLowerCase()] = Number(m[2]);
    return tally;
  } finally {
    redis.disconnect();
  }
}

/** sha1 → name of every Lua script Puente runs: its own `.lua` files and BullMQ's. */
async function scriptNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const sha = (text: string) => createHash('sha1').update(text).digest('hex');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith('.lua') ? [path.join(dir, entry.name)] : []));
  for (const folder of ['src', 'queues', 'crm-bridge', 'bot']) {
    for (const file of walk(path.join(repoRoot, folder))) names.set(sha(readLua(pathToFileURL(file))), path.relative(repoRoot, file));
  }
  const bullmq = (await import(pathToFileURL(path.join(repoRoot, 'node_modules/bullmq/dist/esm/scripts/index.js')).href)) as Record<string, { name?: string; content?: string }>;
  for (const script of Object.values(bullmq)) if (script.name && script.content) names.set(sha(script.content), `bullmq:${script.name}`);
  return names;
}

/** BullMQ scripts that add a job; their first key is `<prefix>:<queue>:<list>`. */
const ADD_JOB = /^bullmq:add(Standard|Delayed|Prioritized|Parent)Job$/;

/** What MONITOR saw: commands clients sent (by name), commands run inside scripts, Lua calls by script, BullMQ jobs added by queue. */
export interface MonitorCounts {
  sent: Tally;
  inScripts: number;
  scripts: Tally;
  jobsAdded: Tally;
}

/** Watches every command Redis runs (MONITOR) until the returned function is called. */
export async function startRedisMonitor(redisUrl: string): Promise<() => Promise<MonitorCounts>> {
  const names = await scriptNames();
  const redis = new Redis(redisUrl);
  const monitor = await redis.monitor();
  const counts: MonitorCounts = { sent: {}, inScripts: 0, scripts: {}, jobsAdded: {} };
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const command = (args[0] ?? '').toLowerCase();
    if (source === 'lua') {
      counts.inScripts++;
      return;
    }
    add(counts.sent, command);
    if (command !== 'evalsha' && command !== 'eval' && command !== 'evalsha_ro') return;
    const script = command === 'eval' ? (names.get(createHash('sha1').update(args[1] ?? '').digest('hex')) ?? 'eval (unknown script)') : (names.get(args[1] ?? '') ?? `unknown ${String(args[1]).slice(0, 8)}`);
    add(counts.scripts, script);
    if (ADD_JOB.test(script)) add(counts.jobsAdded, (args[3] ?? '').split(':').slice(1, -1).join(':') || 'unknown');
  });
  return async () => {
    monitor.disconnect();
    redis.disconnect();
    return counts;
  };
}

/** A counting TCP proxy in front of MongoDB: Puente connects to `uri`. */
export interface MongoOpCounter {
  /** `target` with the proxy's address in place of the server's. */
  uri: string;
  /** Commands by name since the last `take()` (or the start). */
  take(): Tally;
  close(): Promise<void>;
}

/** OP_MSG: a command document (section kind 0) whose first field names the command. */
const OP_MSG = 2013;

/** Reads message boundaries off the client's stream and counts each message's command. */
function commandCounter(onCommand: (name: string) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readInt32LE(0);
      if (pending.length < length) return;
      const opCode = length >= 16 ? pending.readInt32LE(12) : 0;
      if (opCode === OP_MSG && length > 27 && pending[20] === 0) {
        // header (16) + flagBits (4) + section kind (1) + document length (4) + element type (1) → name at 26
        const end = pending.indexOf(0, 26);
        const name = end > 26 && end < length ? pending.toString('latin1', 26, end) : 'unparsed';
        // A string value (find, insert, update, aggregate…: the collection) is an int32 length and the bytes.
        const collection = pending[25] === 0x02 && end + 5 < length ? pending.toString('utf8', end + 5, end + 4 + pending.readInt32LE(end + 1)) : '';
        onCommand(collection ? `${name} ${collection}` : name);
      } else {
        onCommand(opCode === OP_MSG ? 'op_msg (document sequence first)' : `opcode ${opCode}`);
      }
      pending = pending.subarray(length);
    }
  };
}

/** Starts a proxy to the server of `uri` (`mongodb://host:port/db?…`) that counts the commands sent through it. */
export async function startMongoOpCounter(uri: string): Promise<MongoOpCounter> {
  const m = /^mongodb:\/\/([^/:]+):(\d+)(.*)$/.exec(uri);
  if (!m) throw new Error(`cannot proxy ${uri}: expected mongodb://host:port/…`);
  const [, host, port, rest] = m as unknown as [string, string, string, string];
  let tally: Tally = {};
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    const count = commandCounter((name) => add(tally, name));
    client.on('data', count);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;
  return {
    uri: `mongodb://127.0.0.1:${proxyPort}${rest}`,
    take() {
      const taken = tally;
      tally = {};
      return taken;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What one measured window cost, in operations. */
export interface OpCounts {
  redis: Tally;
  mongo: Tally | undefined;
  monitor: MonitorCounts | undefined;
}

/**
 * Starts counting for a measured window: Redis commandstats now, the Mongo proxy's tally reset,
 * MONITOR when asked. The returned function ends the window.
 */
export async function startOpCounts(opts: { redisUrl: string; mongo?: MongoOpCounter; monitor: boolean }): Promise<() => Promise<OpCounts>> {
  const before = await redisCommandCalls(opts.redisUrl).catch(() => undefined);
  opts.mongo?.take();
  const stopMonitor = opts.monitor ? await startRedisMonitor(opts.redisUrl) : undefined;
  return async () => {
    const monitor = await stopMonitor?.();
    const after = await redisCommandCalls(opts.redisUrl).catch(() => undefined);
    const redis = before && after ? diff(after, before) : {};
    // The counting itself: two INFO calls (and MONITOR).
    if (redis['info']) redis['info'] = Math.max(0, redis['info'] - 1);
    delete redis['monitor'];
    if (monitor) {
      delete monitor.sent['info'];
      delete monitor.sent['monitor'];
    }
    return { redis, mongo: opts.mongo?.take(), monitor };
  };
}

/** `get 3.0, evalsha 2.0, …`: the largest entries of a tally per exchange. */
function perExchange(tally: Tally, exchanges: number, top = 8): string {
  const entries = Object.entries(tally).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, top).map(([name, n]) => `${name} ${fmt(n / exchanges, 2)}`);
  const rest = entries.slice(top).reduce((sum, [, n]) => sum + n, 0);
  return [...shown, ...(rest > 0 ? [`others ${fmt(rest / exchanges, 2)}`] : [])].join(', ') || 'none';
}

/**
 * The report's row and notes for a window's counts: per exchange (`exchanges` as the scenario
 * defines one, named `unit`), with the HTTP calls the fakes counted in the same window.
 */
export function opCountReport(counts: OpCounts, exchanges: number, http: Tally, unit = 'exchange'): { row: { metric: string; value: string }; notes: string[] } {
  const n = Math.max(1, exchanges);
  const redisTotal = total(counts.redis);
  const lua = LUA_COMMANDS.reduce((sum, c) => sum + (counts.redis[c] ?? 0), 0);
  const jobs = counts.monitor ? total(counts.monitor.jobsAdded) : undefined;
  const mongo = counts.mongo ? total(counts.mongo) : undefined;
  const value = [
    `Redis ${fmt(redisTotal / n, 1)}`,
    `Lua ${fmt(lua / n, 2)}`,
    `BullMQ jobs ${jobs === undefined ? 'n/a (--monitor)' : fmt(jobs / n, 2)}`,
    `MongoDB ${mongo === undefined ? 'n/a' : fmt(mongo / n, 2)}`,
    `HTTP ${fmt(total(http) / n, 2)}`,
  ].join(' · ');
  const notes = [
    `Per ${unit} (${exchanges} ${unit}s), Redis commands executed, those run inside Lua scripts included (INFO commandstats counts both): ${perExchange(counts.redis, n, 16)}.`,
    ...(counts.mongo ? [`Per ${unit}, MongoDB commands (counted by a proxy in the bench process, one extra loopback hop): ${perExchange(counts.mongo, n)}.`] : ['MongoDB commands not counted (`--mongo memory`: the store runs inside Puente).']),
    `Per ${unit}, HTTP calls to the fakes: ${perExchange(http, n)}.`,
    ...(counts.monitor
      ? [
          `Per ${unit} (MONITOR; Redis CPU of this run is inflated by it), commands sent by clients: ${fmt(total(counts.monitor.sent) / n, 1)} (${perExchange(counts.monitor.sent, n)}); commands run inside scripts: ${fmt(counts.monitor.inScripts / n, 1)}.`,
          `Per ${unit}, Lua calls by script: ${perExchange(counts.monitor.scripts, n, 12)}.`,
          `Per ${unit}, BullMQ jobs added by queue: ${perExchange(counts.monitor.jobsAdded, n)}.`,
        ]
      : []),
  ];
  return { row: { metric: `Per ${unit}: Redis commands · Lua calls · BullMQ jobs · MongoDB commands · HTTP calls`, value }, notes };
}
