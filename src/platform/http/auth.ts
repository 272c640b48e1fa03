import type { MiddlewareHandler } from 'hono';
import { AppError } from './errors.js';
import { secureEquals } from './secure-compare.js';
import type { AppEnv } from './types.js';

/** `Authorization: Bearer <token>`, compared in constant time; anything else is a 401. */
export function bearerAuth(expected: string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    if (!secureEquals(token, expected)) throw new AppError('UNAUTHORIZED', 'Missing or invalid bearer token');
    await next();
  };
}

/** Refuses every request: the authentication of a group whose credentials do not exist yet. */
export function refuseAll(message: string): MiddlewareHandler<AppEnv> {
  return async () => {
    throw new AppError('UNAUTHORIZED', message);
  };
}
