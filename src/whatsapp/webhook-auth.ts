import type { MiddlewareHandler } from 'hono';
import { AppError } from '../platform/http/errors.js';
import { secureEquals } from '../platform/http/secure-compare.js';
import type { AppEnv } from '../platform/http/types.js';
import { verifyMetaSignature } from './signature.js';

export interface MetaAuthOptions {
  /** Meta App Secret: the HMAC key of X-Hub-Signature-256. */
  appSecret: string | undefined;
  /** WEBHOOK_VERIFY_TOKEN, asked for by Meta's GET verification handshake. */
  verifyToken: string | undefined;
}

/**
 * How a call from Meta is authenticated, for every route of the `meta` group:
 * - GET (the subscription handshake): `hub.verify_token` must be ours, else 403 (Meta's contract);
 * - anything else: X-Hub-Signature-256 over the raw bytes, checked before anything parses them,
 *   else 401. The bytes are kept in `rawBody`, so the handler parses exactly what was signed.
 */
export function metaAuth({ appSecret, verifyToken }: MetaAuthOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET') {
      if (!secureEquals(c.req.query('hub.verify_token'), verifyToken)) throw new AppError('FORBIDDEN', 'Verification failed: wrong hub.mode or hub.verify_token');
      return next();
    }
    if (!appSecret) throw new AppError('NOT_CONFIGURED', 'META_WEBHOOK_SECRET is not set');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (!verifyMetaSignature({ appSecret, rawBody: raw, signatureHeader: c.req.header('x-hub-signature-256') })) {
      throw new AppError('INVALID_SIGNATURE', 'Missing or invalid X-Hub-Signature-256');
    }
    c.set('rawBody', raw);
    return next();
  };
}

/** Parses a body verified by {@link metaAuth} as JSON; 400 when it is not. */
export function parseSignedJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    throw new AppError('MALFORMED_JSON', 'The body is not valid JSON');
  }
}
