/**
 * CPU accounting of the processes in a scenario (Puente, Redis, this process with the fake Graph API),
 * to tell what limits a figure on a small machine. Linux `/proc` for child processes, `INFO cpu` for
 * Redis; figures are NaN where unavailable.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { nowMs } from './clock.js';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on every mainstream Linux). */
const USER_HZ = 100;

/** User + system CPU milliseconds a process used so far (all threads); NaN if unreadable. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 on; the name may contain spaces
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ; // #14 utime, #15 stime
  } catch {
    return NaN;
  }
}

/** Direct children of a process (e.g. the worker processes Puente forked); empty if unreadable. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Redis server CPU milliseconds so far (`used_cpu_user + used_cpu_sys`); NaN if Redis does not answer. */
export async function redisCpuMs(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    await redis.connect();
    const info = await redis.info('cpu');
    const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
    return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
  } catch {
    return NaN;
  } finally {
    redis.disconnect();
  }
}

/** CPU use per process during a measured window, in % of one core (200 % = both cores of a 2-core machine). */
export type CpuShares = Record<string, number>;

/**
 * Starts measuring the given child processes, Redis (if `redisUrl`) and this process (`selfName`:
 * the fake Graph API; the orchestrator is otherwise idle while a load runs). Call the returned
 * function at the end of the window.
 */
export async function startCpuMeter(opts: { pids: Record<string, number | undefined>; redisUrl?: string; selfName?: string }): Promise<() => Promise<CpuShares>> {
  const t0 = nowMs();
  const before = Object.fromEntries(Object.entries(opts.pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const redis0 = opts.redisUrl ? await redisCpuMs(opts.redisUrl) : NaN;
  const self0 = process.cpuUsage();
  return async () => {
    const self = process.cpuUsage(self0);
    const redis1 = opts.redisUrl ? await redisCpuMs(opts.redisUrl) : NaN;
    const ms = nowMs() - t0;
    const pct = (used: number) => (used / ms) * 100;
    const shares: CpuShares = {};
    for (const [name, pid] of Object.entries(opts.pids)) shares[name] = pct(processCpuMs(pid) - (before[name] as number));
    if (opts.redisUrl) shares['Redis'] = pct(redis1 - redis0);
    if (opts.selfName) shares[opts.selfName] = pct((self.user + self.system) / 1000);
    return shares;
  };
}

/** Process-wide CPU % of one core since `since` (a `process.cpuUsage()` snapshot) over `wallMs`. */
export function selfCpuPct(since: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(since);
  return ((used.user + used.system) / 1000 / wallMs) * 100;
}
