import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../platform/http/errors.js';
import { secureEquals } from '../platform/http/secure-compare.js';
import type { AppEnv, Scope } from '../platform/http/types.js';
import type { ApiKeyStore } from './store.js';

/**
 * The key a caller presents: `X-API-Key: <key>` or `Authorization: Bearer <key>`. When both are
 * sent, X-API-Key is the one checked (a proxy may add its own Authorization header).
 */
export function presentedKey(c: Context<AppEnv>): string | undefined {
  const header = c.req.header('x-api-key');
  if (header !== undefined) return header.trim();
  const authorization = c.req.header('authorization') ?? '';
  return authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
}

/** The scope a request needs unless its route asks for more: reads need `read`, anything else `write` (an unknown method counts as a write). */
export function defaultScope(method: string): Scope {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'read' : 'write';
}

export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}

/**
 * The `v1` group's authentication: finds the live key (401 when missing, unknown or revoked), checks
 * the scope the method needs (403) and sets `auth` — the request's organization — on the context.
 */
export function orgKeyAuth(store: ApiKeyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = presentedKey(c);
    if (!presented) throw new AppError('UNAUTHORIZED', 'Send an API key as X-API-Key or Authorization: Bearer');
    const key = await store.verify(presented);
    if (!key) throw new AppError('UNAUTHORIZED', 'The API key is not valid');
    const needed = defaultScope(c.req.method);
    if (!hasScope(key.scopes, needed)) throw new AppError('FORBIDDEN', `This API key lacks the ${needed} scope`);
    c.set('auth', { orgId: key.orgId, keyId: key._id, scopes: key.scopes });
    await next();
  };
}

/**
 * A route's own, stricter scope (e.g. `admin`), as route middleware after the group's check. A
 * route can only ask for more than its method's default, never less.
 */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth') as AppEnv['Variables']['auth'] | undefined;
    if (!auth) throw new AppError('UNAUTHORIZED', 'No API key was checked for this route');
    if (!hasScope(auth.scopes, scope)) throw new AppError('FORBIDDEN', `This API key lacks the ${scope} scope`);
    await next();
  };
}

/**
 * The `admin` group's authentication: API_ADMIN_KEY, sent like an organization key, compared in
 * constant time. Without API_ADMIN_KEY the platform owner's routes do not exist: 404, as for any
 * unknown path.
 */
export function adminKeyAuth(adminKey: string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!adminKey) throw new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`);
    if (!secureEquals(presentedKey(c), adminKey)) throw new AppError('UNAUTHORIZED', 'Missing or invalid admin key');
    await next();
  };
}
