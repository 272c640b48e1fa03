/**
 * The manual component: a score a sales rep sets, with their reasoning. The API validates the
 * value (0–100); here it is rounded to an integer and clamped to 0–100. A value that is not a
 * finite number is a programming error (RangeError). An empty reason becomes "Set manually to N".
 */
import { toScore } from './math.js';
import type { ComponentScore } from './types.js';

/** The manual score a rep set, `reason` being their words. */
export function manualScore(value: number, reason: string): ComponentScore {
  if (!Number.isFinite(value)) throw new RangeError(`manual score must be a finite number, got ${String(value)}`);
  const score = toScore(value);
  const text = reason.trim();
  return {
    type: 'manual',
    score,
    reason: text === '' ? `Set manually to ${score}` : text,
    factors: { value },
  };
}
