import { createHmac } from 'node:crypto';

/**
 * The `X-Bot-Signature` header value for a request body Puente sends to the CRM:
 * `sha256=<lowercase hex HMAC-SHA256 of the exact body bytes, keyed with BOT_SIGNATURE_SECRET>`.
 * Sign the string that is sent, never a re-serialization of it.
 */
export function botSignatureHeader(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
