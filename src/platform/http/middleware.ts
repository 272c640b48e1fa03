import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from './errors.js';
import type { AppEnv } from './types.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/registry.js';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A logger that becomes `make()` on first use. A pino child serializes its bindings when created,
 * and most requests never log (the access line is below the usual production level).
 */
function lazyLogger(make: () => Logger): Logger {
  let real: Logger | undefined;
  return new Proxy({} as Logger, {
    get(_target, prop) {
      real ??= make();
      const value: unknown = Reflect.get(real, prop, real);
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
}

/** Which access lines go to debug instead of info. */
export interface QuietRequests {
  /** Every request under these prefixes (the dev playground's own traffic). */
  quietPrefixes?: readonly string[];
  /**
   * POSTs to these exact paths when answered 2xx: the per-message paths (Meta's webhook), so a
   * process at `info` writes nothing per message; a refused one (401, 413, 503…) and the GET of
   * the webhook's verification handshake still log at info.
   */
  quietWhenOk?: readonly string[];
}

/**
 * Request-scoped logger carrying the request id, one access-log line and the duration histogram.
 * The access line of probes, scrapes and the requests `quiet` names is logged at debug, so the
 * console shows the product's requests. The duration histogram counts every request.
 */
export function observeRequests(logger: Logger, metrics: Metrics, quiet: QuietRequests = {}): MiddlewareHandler<AppEnv> {
  const quietPrefixes = quiet.quietPrefixes ?? [];
  const quietWhenOk = new Set(quiet.quietWhenOk ?? []);
  return async (c, next) => {
    const started = process.hrtime.bigint();
    const reqId = c.get('requestId');
    const reqLogger = lazyLogger(() => logger.child({ reqId }));
    c.set('logger', reqLogger);
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath;
    metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    const path = c.req.path;
    const quietNow = QUIET_PATHS.has(path) || (quietWhenOk.has(path) && c.req.method === 'POST' && c.res.status < 300) || quietPrefixes.some((prefix) => path.startsWith(prefix));
    const level = quietNow ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    reqLogger[level]({ method: c.req.method, path, status: c.res.status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
  };
}

/**
 * 413 for bodies over `maxBytes`. A declared Content-Length is judged from the header alone, so the
 * body is neither read nor turned into a WHATWG stream (hono's bodyLimit reads `c.req.raw.body`,
 * which makes @hono/node-server build a full Request per call: about a tenth of the webhook's CPU).
 * Chunked bodies, whose size is unknown up front, are counted as they stream by hono's bodyLimit.
 */
export function limitBody(defaultMaxBytes: number, larger: Readonly<Record<string, number>> = {}): MiddlewareHandler<AppEnv> {
  const limiter = (maxBytes: number) => {
    const tooLarge = (): never => {
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBytes} bytes`);
    };
    return { maxBytes, tooLarge, streamed: bodyLimit({ maxSize: maxBytes, onError: tooLarge }) };
  };
  const standard = limiter(defaultMaxBytes);
  // Paths that take bulk uploads (e.g. a contacts CSV) get their own, larger limit.
  const byPath = new Map(Object.entries(larger).map(([path, bytes]) => [path, limiter(bytes)]));
  return async (c, next) => {
    const { maxBytes, tooLarge, streamed } = byPath.get(c.req.path) ?? standard;
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(declared, 10) > maxBytes) tooLarge();
      return next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return streamed(c, next);
  };
}

/**
 * A JSON Content-Type over an empty body (`Content-Length: 0`) is read as no body. Many clients send
 * the header on every POST (n8n's HTTP Request node, scripts with a fixed header set), and an action
 * such as `POST /api/v1/campaigns/{id}/start` takes no body. A route whose body is optional then
 * runs as without one; a route that needs one answers which fields are missing (VALIDATION_ERROR)
 * instead of MALFORMED_JSON. Mount it on the API paths only: the Meta webhook checks its signature
 * over the exact bytes it received.
 */
export function emptyJsonBodyIsNoBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.header('content-length') === '0' && /^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
      // hono's validators read the body through this cache (c.req.json()).
      c.req.bodyCache.json = Promise.resolve({});
    }
    return next();
  };
}
