import { randomBytes } from 'node:crypto';

/** An opaque id: `prefix` and 16 base64url characters (96 random bits). */
export function newId(prefix: 'cmp' | 'cmsg' | 'enr'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
