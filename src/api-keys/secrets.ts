import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every organization key starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const KEY_PREFIX = 'pk_';
/** 32 random bytes, base64url: 43 characters. */
const KEY_BYTES = 32;
const KEY_PATTERN = /^pk_[A-Za-z0-9_-]{43}$/;
/** How much of a key is kept in clear to tell keys apart: `pk_` and 8 characters (48 of its 256 bits). */
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
}

/**
 * A key derived from a secret and a label: the same inputs give the same key. Only `npm run dev`
 * uses it, so the key it prints for `default` stays the same across restarts with the same admin key.
 */
export function deriveKey(secret: string, label: string): string {
  return KEY_PREFIX + createHmac('sha256', secret).update(label).digest('base64url');
}

/** Whether `value` has the shape of a key at all (checked before any database read). */
export function looksLikeKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function shownPrefix(key: string): string {
  return key.slice(0, SHOWN_PREFIX_LENGTH);
}

/** Constant-time equality of two hex digests of the same length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** An opaque id: `prefix` and 16 base64url characters (96 random bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
