import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import type { AppEnv } from '../../platform/http/types.js';
import type { Logger } from '../../platform/logging/logger.js';
import { pingRedis } from '../../platform/redis/connection.js';
import { pingMongo } from '../../platform/mongo/connection.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Process liveness',
  responses: { 200: { description: 'The process is alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const DEPENDENCIES = ['redis', 'mongodb', 'workers'] as const;
type Dependency = (typeof DEPENDENCIES)[number];

const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  failed: z.array(z.enum(DEPENDENCIES)).optional().openapi({ description: 'Which dependencies failed (ops listener only); the reasons are in the log' }),
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: Redis and MongoDB reachable (and, with PUENTE_WORKER_PROCESSES, a worker process running)',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
    503: { description: 'A dependency is down', content: { 'application/json': { schema: readySchema } } },
  },
});

/** The worker processes forked by `PUENTE_ROLE=all` with PUENTE_WORKER_PROCESSES > 0 (src/app/worker-processes/). */
export interface WorkerProcessesProbe {
  readonly expected: number;
  alive(): number;
}

export interface HealthOptions {
  /** `workerProcesses`, when present, adds a `workers` check that fails while none of them is running. */
  workerProcesses?: WorkerProcessesProbe;
  /** Name the failed dependencies in /readyz's body (the ops listener); the public one answers the status only. */
  detail?: boolean;
}

/**
 * `/healthz` and `/readyz`. A failed check is logged with its error; the answer names at most the
 * dependency (`{"status":"unavailable","failed":["redis"]}`), never the error text. Concurrent
 * /readyz requests share one round of pings, so probing it in a loop costs Redis and MongoDB no more
 * than one caller does.
 */
export function healthRoutes(deps: Pick<Deps, 'redis' | 'mongo'> & { logger: Logger }, options: HealthOptions = {}): OpenAPIHono<AppEnv> {
  const { workerProcesses, detail = false } = options;
  const check = async (name: Dependency, probe: () => Promise<void>): Promise<Dependency | undefined> => {
    try {
      await probe();
      return undefined;
    } catch (err) {
      deps.logger.warn({ err, dependency: name }, 'readiness check failed');
      return name;
    }
  };
  let workersRan = false;
  const probeAll = async (): Promise<Dependency[]> => {
    const failed = await Promise.all([check('redis', () => pingRedis(deps.redis)), check('mongodb', () => pingMongo(deps.mongo.connection))]);
    if (workerProcesses) {
      if (workerProcesses.alive() > 0) workersRan = true;
      else {
        // Before the first child is ready this is start-up, not a fault: a probe polling /readyz
        // during a deploy would otherwise write a warning each time (the supervisor logs a child
        // that dies at error). Once they had run, losing every one of them is worth a warning.
        const at = workersRan ? 'warn' : 'debug';
        deps.logger[at]({ dependency: 'workers', expected: workerProcesses.expected }, workersRan ? 'readiness check failed: no worker process running' : 'not ready yet: no worker process has started');
        failed.push('workers');
      }
    }
    return failed.filter((name): name is Dependency => name !== undefined);
  };
  let inFlight: Promise<Dependency[]> | undefined;
  const failures = () => (inFlight ??= probeAll().finally(() => (inFlight = undefined)));

  const app = new OpenAPIHono<AppEnv>();
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const failed = await failures();
    if (failed.length === 0) return c.json({ status: 'ready' as const }, 200);
    return c.json({ status: 'unavailable' as const, ...(detail ? { failed } : {}) }, 503);
  });
  return app;
}
