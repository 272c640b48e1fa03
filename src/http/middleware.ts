import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './types.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/registry.js';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Request-scoped logger carrying the request id, one access-log line and the duration histogram. */
export function observeRequests(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    const reqLogger = logger.child({ reqId: c.get('requestId') });
    c.set('logger', reqLogger);
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath;
    metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1e4) / 10 };
    if (QUIET_PATHS.has(c.req.path)) reqLogger.debug(line, 'request');
    else reqLogger.info(line, 'request');
  };
}
