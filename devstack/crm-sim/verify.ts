/**
 * How the CRM authenticates Puente's calls (docs/crm-contract.md, "Calls Puente makes to the CRM"):
 * `Authorization: Bearer BOT_API_TOKEN` and `X-Bot-Signature: sha256=<lowercase hex HMAC-SHA256 of
 * the exact body bytes, key BOT_SIGNATURE_SECRET>`, checked over the raw body before it is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export type CrmEnv = { Variables: { body: unknown } };

export interface Rejection {
  endpoint: string;
  status: number;
  code: string;
  message: string;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function botSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks bearer and signature over the raw bytes, then parses the JSON body into `c.get('body')`. */
export function verifyPuente(options: { botApiToken: string; botSignatureSecret: string; onReject(rejection: Rejection): void }): MiddlewareHandler<CrmEnv> {
  return async (c, next) => {
    const endpoint = new URL(c.req.url).pathname;
    const refuse = (status: 400 | 401, code: string, message: string) => {
      options.onReject({ endpoint, status, code, message });
      return c.json({ success: false, error: { code, message } }, status);
    };
    const authorization = c.req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (token === undefined || !sameText(token, options.botApiToken)) {
      return refuse(401, 'UNAUTHORIZED', authorization === '' ? 'Missing bearer token' : 'Wrong bearer token');
    }
    const raw = Buffer.from(await c.req.arrayBuffer());
    const signature = c.req.header('x-bot-signature');
    if (signature === undefined) return refuse(401, 'INVALID_SIGNATURE', 'Missing X-Bot-Signature');
    if (!sameText(signature, botSignature(options.botSignatureSecret, raw))) {
      return refuse(401, 'INVALID_SIGNATURE', 'X-Bot-Signature does not match the body');
    }
    try {
      c.set('body', JSON.parse(raw.toString('utf8')) as unknown);
    } catch {
      return refuse(400, 'MALFORMED_JSON', 'The body is not JSON');
    }
    await next();
    return undefined;
  };
}
