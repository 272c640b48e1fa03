import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Digests of the expected values: they come from configuration (a handful of tokens), and the
 * CRM's bearer token is checked on every call, so each is hashed once rather than per request.
 */
const expectedDigests = new Map<string, Buffer>();
const MAX_CACHED = 64;

function expectedDigest(expected: string): Buffer {
  let digest = expectedDigests.get(expected);
  if (!digest) {
    digest = sha256(expected);
    if (expectedDigests.size < MAX_CACHED) expectedDigests.set(expected, digest);
  }
  return digest;
}

/**
 * Constant-time string equality. Both sides are hashed first so the comparison takes the same time
 * whatever their lengths (timingSafeEqual itself refuses unequal lengths, which would leak them).
 */
export function secureEquals(given: string | undefined | null, expected: string | undefined): boolean {
  if (given === undefined || given === null || !expected) return false;
  return timingSafeEqual(sha256(given), expectedDigest(expected));
}
