/**
 * Cross-process check of the business API's rate limiter (src/platform/http/rate-limit.ts):
 * spawns `--processes` (2) children, each with its own Redis connection and limiter instance,
 * all hammering the same organization key from `--concurrency` loops each, starting on a window
 * boundary (in Redis' clock), for `--seconds`; then prints, per window, how many requests each
 * process was allowed and the total against the limit. Target: every full window within
 * limit ± 1 %, never above.
 *
 *   npx tsx bench/rate-limit.ts                                   # 1,000 per 10 s window, 30 s
 *   npx tsx bench/rate-limit.ts --window-ms 60000 --seconds 60    # one full 60 s window
 *   npx tsx bench/rate-limit.ts --limit 1000 --window-ms 10000 --seconds 30 --processes 2 --concurrency 16
 *
 * Uses the Redis at REDIS_URL (default 127.0.0.1:6379) under a throwaway key prefix, deleted after.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { forkTs, killAll } from './lib/children.js';
import { deleteKeys } from './lib/redis-keys.js';
import type { RateLimitWorkerJob, RateLimitWorkerMessage } from './workers/rate-limit-worker.js';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '1000' },
    'window-ms': { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    processes: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
  },
});
const limit = Number(values.limit);
const windowMs = Number(values['window-ms']);
const seconds = Number(values.seconds);
const processes = Number(values.processes);
const concurrency = Number(values.concurrency);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));

async function redisNowMs(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

async function main(): Promise<void> {
  const keyPrefix = `bench-rl-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  try {
    const children = Array.from({ length: processes }, () => forkTs('bench/workers/rate-limit-worker.ts'));
    const results = children.map(
      (child) =>
        new Promise<RateLimitWorkerMessage>((resolve, reject) => {
          child.on('message', (msg: RateLimitWorkerMessage) => {
            if (msg.type !== 'ready') resolve(msg);
          });
          child.once('exit', (code) => reject(new Error(`worker ${child.pid} exited with ${code}`)));
        }),
    );
    await Promise.all(children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))));

    // Start on the next window boundary of Redis' clock (at least 1 s away), so the run covers whole windows.
    const before = Date.now();
    const redisNow = await redisNowMs(redis);
    const redisOffsetMs = redisNow - Math.round((before + Date.now()) / 2);
    const startRedis = Math.ceil((redisNow + 1000) / windowMs) * windowMs;
    const endRedis = startRedis + seconds * 1000;
    const job: RateLimitWorkerJob = {
      redisUrl: REDIS_URL,
      keyPrefix,
      key: 'org-bench',
      limit,
      windowMs,
      concurrency,
      startAt: startRedis - redisOffsetMs,
      endAt: endRedis - redisOffsetMs,
      redisOffsetMs,
    };
    console.log(
      `rate limiter: ${processes} processes × ${concurrency} loops on one key, limit ${limit} per ${windowMs / 1000} s window, ` +
        `${seconds} s from ${new Date(startRedis).toISOString()} (Redis clock; Redis − local = ${redisOffsetMs} ms)`,
    );
    for (const child of children) child.send(job);
    const replies = await Promise.all(results);

    const perProcess = replies.map((r, i) => {
      if (r.type !== 'result') throw new Error(`worker ${i}: ${r.type === 'error' ? r.message : r.type}`);
      return r;
    });
    const windows = [...new Set(perProcess.flatMap((r) => Object.keys(r.allowedByWindow).map(Number)))].sort((a, b) => a - b);
    const lo = limit * 0.99;
    let failures = 0;
    console.log(`\n| window (Redis clock, UTC) | ${perProcess.map((_, i) => `proc ${i + 1}`).join(' | ')} | total | vs limit | verdict |`);
    console.log(`|---|${perProcess.map(() => '---:').join('|')}|---:|---:|---|`);
    for (const end of windows) {
      const start = end - windowMs;
      const full = start >= startRedis && end <= endRedis;
      const counts = perProcess.map((r) => r.allowedByWindow[end] ?? 0);
      const total = counts.reduce((a, b) => a + b, 0);
      const ok = total <= limit && (!full || total >= lo);
      if (!ok) failures++;
      const verdict = !full ? (total <= limit ? 'partial window, ≤ limit' : 'ABOVE LIMIT') : ok ? 'ok' : total > limit ? 'ABOVE LIMIT' : 'BELOW 99 %';
      const span = `${new Date(start).toISOString().slice(11, 23)}–${new Date(end).toISOString().slice(11, 23)}`;
      console.log(`| ${span} | ${counts.join(' | ')} | ${total} | ${((total / limit - 1) * 100).toFixed(2)} % | ${verdict} |`);
    }
    const takes = perProcess.map((r) => r.takes);
    const errors = perProcess.reduce((a, r) => a + r.errors, 0);
    const totalTakes = takes.reduce((a, b) => a + b, 0);
    console.log(
      `\ntakes: ${takes.join(' + ')} = ${totalTakes} (${Math.round(totalTakes / seconds)}/s across processes), Redis errors: ${errors}; ` +
        `full windows: ${windows.filter((end) => end - windowMs >= startRedis && end <= endRedis).length}`,
    );
    console.log(failures === 0 ? 'PASS: every full window within limit ± 1 %, none above' : `FAIL: ${failures} window(s) out of bounds`);
    process.exitCode = failures === 0 ? 0 : 1;
  } finally {
    redis.disconnect();
    await deleteKeys(REDIS_URL, `${keyPrefix}:`);
  }
}

await main();
