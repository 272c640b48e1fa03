/**
 * One process of the rate-limit bench (bench/rate-limit.ts): its own Redis connection (the
 * production command connection) and its own limiter instance, hammering one key from
 * `concurrency` loops until `endAt`, then reporting how many takes were allowed per window.
 */
import { createRateLimiter } from '../../src/platform/http/rate-limit.js';
import { createCommandRedis, waitUntilReady } from '../../src/platform/redis/connection.js';

export interface RateLimitWorkerJob {
  redisUrl: string;
  keyPrefix: string;
  key: string;
  limit: number;
  windowMs: number;
  concurrency: number;
  /** Epoch ms on this host's clock. */
  startAt: number;
  endAt: number;
  /** Redis' clock minus this host's, measured by the parent (same host: the children share it). */
  redisOffsetMs: number;
}

export type RateLimitWorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; takes: number; errors: number; allowedByWindow: Record<string, number> }
  | { type: 'error'; message: string };

process.on('disconnect', () => process.exit(0));

const send = (msg: RateLimitWorkerMessage, then: () => void = () => {}) => process.send?.(msg, then);

async function run(job: RateLimitWorkerJob): Promise<Extract<RateLimitWorkerMessage, { type: 'result' }>> {
  const redis = createCommandRedis(job.redisUrl, `bench-rate-limit-${process.pid}`);
  await waitUntilReady(redis);
  const limiter = createRateLimiter({ redis, keyPrefix: job.keyPrefix, limit: job.limit, windowMs: job.windowMs });
  const allowedByWindow: Record<string, number> = {};
  let takes = 0;
  let errors = 0;
  const wait = job.startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const loop = async () => {
    while (Date.now() < job.endAt) {
      try {
        const d = await limiter.take(job.key);
        takes++;
        if (!d.allowed) continue;
        // The window this take fell in, named by its end in Redis' clock (a multiple of windowMs).
        const windowEnd = Math.round((Date.now() + job.redisOffsetMs + d.resetMs) / job.windowMs) * job.windowMs;
        allowedByWindow[windowEnd] = (allowedByWindow[windowEnd] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  redis.disconnect();
  return { type: 'result', takes, errors, allowedByWindow };
}

process.once('message', (raw) => {
  run(raw as RateLimitWorkerJob)
    .then((result) => send(result, () => process.exit(0)))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1)));
});
send({ type: 'ready' });
