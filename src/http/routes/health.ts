import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../types.js';
import { pingRedis } from '../../infra/redis.js';
import { pingMongo } from '../../infra/mongo.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Process liveness',
  responses: { 200: { description: 'The process is alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const checkResult = z.object({ status: z.enum(['ok', 'fail']), error: z.string().optional() });
const readySchema = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.object({ redis: checkResult, mongodb: checkResult }) });

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: Redis and MongoDB reachable',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
    503: { description: 'A dependency is down; `checks` says which', content: { 'application/json': { schema: readySchema } } },
  },
});

async function check(probe: () => Promise<void>): Promise<z.infer<typeof checkResult>> {
  try {
    await probe();
    return { status: 'ok' };
  } catch (err) {
    return { status: 'fail', error: err instanceof Error ? err.message : String(err) };
  }
}

export function healthRoutes(deps: Pick<Deps, 'redis' | 'mongo'>): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const [redis, mongodb] = await Promise.all([check(() => pingRedis(deps.redis)), check(() => pingMongo(deps.mongo.connection))]);
    const ok = redis.status === 'ok' && mongodb.status === 'ok';
    return c.json({ status: ok ? ('ready' as const) : ('unavailable' as const), checks: { redis, mongodb } }, ok ? 200 : 503);
  });
  return app;
}
