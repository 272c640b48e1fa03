import { createHmac, timingSafeEqual } from 'node:crypto';

/** The bytes of an HTTP body as received (a `Buffer` is a `Uint8Array`). Strings are hashed as UTF-8. */
export type RawBody = Uint8Array | string;

/** Input of {@link verifyMetaSignature}. */
export interface VerifyMetaSignatureInput {
  /** The Meta App Secret (not the access token, not the verify token). */
  appSecret: string;
  /** The request body exactly as received, before any JSON parsing. */
  rawBody: RawBody;
  /** The value of `X-Hub-Signature-256`; `undefined`/`null` when the header is absent. */
  signatureHeader: string | null | undefined;
}

const PREFIX = 'sha256=';
// Hex is matched case-insensitively: Meta sends lowercase, but decoding is case-blind anyway,
// so refusing uppercase would only reject a correct signature.
const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

function hmacSha256(secret: string, rawBody: RawBody): Buffer {
  return createHmac('sha256', secret).update(rawBody).digest();
}

/**
 * Signs a body the way Meta signs webhooks (and the way Puente signs `X-Bot-Signature` for the CRM).
 *
 * @example
 * signBody('puente_test_app_secret', rawBytes) // → 'sha256=a23e…ec4c' (test/fixtures/whatsapp/README.md)
 */
export function signBody(secret: string, rawBody: RawBody): string {
  return PREFIX + hmacSha256(secret, rawBody).toString('hex');
}

/**
 * Checks `X-Hub-Signature-256` against an HMAC-SHA256 of the raw body, in constant time.
 *
 * Returns `false` (never throws) for a missing header, a wrong prefix, a digest of the wrong length or
 * with non-hex characters, and an empty app secret (a misconfiguration must not accept everything
 * signed with the empty key).
 *
 * The body must be the bytes Meta sent: Meta signs its compact, `\uXXXX`-escaped JSON, so a body that
 * was parsed and re-serialized no longer matches.
 */
export function verifyMetaSignature({ appSecret, rawBody, signatureHeader }: VerifyMetaSignatureInput): boolean {
  if (typeof signatureHeader !== 'string' || appSecret.length === 0) return false;
  const match = SIGNATURE_HEADER.exec(signatureHeader);
  const hex = match?.[1];
  if (hex === undefined) return false;

  const expected = hmacSha256(appSecret, rawBody);
  const received = Buffer.from(hex, 'hex');
  // The regex already pins 64 hex chars (32 bytes); the check stays because timingSafeEqual throws on
  // unequal lengths and this function promises never to throw.
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}
