import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string equality. Both sides are hashed first so the comparison takes the same time
 * whatever their lengths (timingSafeEqual itself refuses unequal lengths, which would leak them).
 */
export function secureEquals(given: string | undefined | null, expected: string | undefined): boolean {
  if (given === undefined || given === null || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
