/**
 * How Puente signs a webhook delivery (docs/webhooks.md has the receiver's side and a test vector):
 * `X-Puente-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, one `v1=` per
 * secret that signs (two while a rotation's overlap lasts, the new secret first). The timestamp is
 * inside the signed bytes, so a receiver that refuses old timestamps refuses replays.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Every webhook secret starts with this (recognisable by secret scanners); 32 random bytes follow. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/** The hex HMAC-SHA256 of `<t>.<body>` with `secret`. */
export function signatureV1(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `X-Puente-Signature` value: `t=…,v1=…[,v1=…]`, one `v1` per secret in the order given. */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${signatureV1(secret, timestamp, body)}`)].join(',');
}
