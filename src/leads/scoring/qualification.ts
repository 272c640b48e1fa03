/**
 * Seed 003's auto-qualification, applied to the combined score:
 *
 * | combined score              | qualification  |
 * | --------------------------- | -------------- |
 * | >= threshold (default 70)   | `qualified`    |
 * | < 40                        | `disqualified` |
 * | otherwise (40 to threshold) | `unqualified`  |
 *
 * An organization may set its own threshold. When it sets one below 40 the threshold wins: a
 * score at or above it is qualified even though it is under 40 (only scores below both are
 * disqualified).
 *
 * Promotion: a lead at stage `lead` whose score reaches 75 moves to `mql`. Only from `lead`:
 * a lead already at `mql`, `sql`, `opportunity`, `customer` or `lost` is never moved by the
 * score (not backwards, not sideways).
 */
import { DISQUALIFY_BELOW, PROMOTE_TO_MQL_AT, QUALIFY_AT, type QualificationStatus } from './types.js';

/** The qualification a score earns. */
export function qualificationFor(score: number, threshold: number = QUALIFY_AT): QualificationStatus {
  if (score >= threshold) return 'qualified';
  if (score < DISQUALIFY_BELOW) return 'disqualified';
  return 'unqualified';
}

/** Whether a lead at `stage` with `score` is promoted to `mql` now. */
export function shouldPromoteToMql(score: number, stage: string): boolean {
  return stage === 'lead' && score >= PROMOTE_TO_MQL_AT;
}
