import { randomBytes } from 'node:crypto';

/** A task's opaque id: `tk_` and 16 base64url characters (96 random bits), like the contacts' ids. */
export function newTaskId(): string {
  return `tk_${randomBytes(12).toString('base64url')}`;
}
