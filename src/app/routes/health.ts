import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import type { AppEnv } from '../../platform/http/types.js';
import { pingRedis } from '../../platform/redis/connection.js';
import { pingMongo } from '../../platform/mongo/connection.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Process liveness',
  responses: { 200: { description: 'The process is alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const checkResult = z.object({ status: z.enum(['ok', 'fail']), error: z.string().optional() });
const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ redis: checkResult, mongodb: checkResult, workers: checkResult.optional() }),
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: Redis and MongoDB reachable (and, with PUENTE_WORKER_PROCESSES, a worker process running)',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
    503: { description: 'A dependency is down; `checks` says which', content: { 'application/json': { schema: readySchema } } },
  },
});

function workersCheck(probe: WorkerProcessesProbe): z.infer<typeof checkResult> {
  const alive = probe.alive();
  return alive > 0 ? { status: 'ok' } : { status: 'fail', error: `no worker process running (0 of ${probe.expected})` };
}

async function check(probe: () => Promise<void>): Promise<z.infer<typeof checkResult>> {
  try {
    await probe();
    return { status: 'ok' };
  } catch (err) {
    return { status: 'fail', error: err instanceof Error ? err.message : String(err) };
  }
}

/** The worker processes forked by `PUENTE_ROLE=all` with PUENTE_WORKER_PROCESSES > 0 (src/app/worker-processes/). */
export interface WorkerProcessesProbe {
  readonly expected: number;
  alive(): number;
}

/** `workerProcesses`, when present, adds a `workers` check that fails while none of them is running. */
export function healthRoutes(deps: Pick<Deps, 'redis' | 'mongo'> & { workerProcesses?: WorkerProcessesProbe }): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const [redis, mongodb] = await Promise.all([check(() => pingRedis(deps.redis)), check(() => pingMongo(deps.mongo.connection))]);
    const workers = deps.workerProcesses ? workersCheck(deps.workerProcesses) : undefined;
    const ok = redis.status === 'ok' && mongodb.status === 'ok' && workers?.status !== 'fail';
    return c.json({ status: ok ? ('ready' as const) : ('unavailable' as const), checks: { redis, mongodb, ...(workers ? { workers } : {}) } }, ok ? 200 : 503);
  });
  return app;
}
