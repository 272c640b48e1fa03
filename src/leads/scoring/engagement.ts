/**
 * The engagement component: what the contact did on WhatsApp in the lookback window (30 days),
 * mapped onto the seed's e-mail signals. Each signal is worth a fixed number of points per
 * occurrence up to its cap; the caps add up to 100, so the score is their sum.
 *
 * | signal (Puente)                | seed's signal    | points each | cap |
 * | ------------------------------ | ---------------- | ----------- | --- |
 * | `reads` of messages we sent    | email opens      | 5           | 30  |
 * | `taps` (buttons, list rows)    | link clicks      | 10          | 30  |
 * | `replies` (messages they wrote)| replies          | 5           | 25  |
 * | `handovers_completed`          | calls completed  | 15          | 15  |
 *
 * So 6 reads, 3 taps, 5 replies and 1 completed handover already reach 100. A count that is
 * negative or not a whole number (it never should be) counts as its floor, and at least 0.
 */
import { listJoin, plural, toScore } from './math.js';
import type { ComponentScore, EngagementSignals } from './types.js';

export type EngagementSignal = 'replies' | 'reads' | 'taps' | 'handovers_completed';

/** Points per occurrence and the cap of each signal (the caps add up to 100). */
export const ENGAGEMENT_POINTS: Readonly<Record<EngagementSignal, { readonly each: number; readonly cap: number }>> = {
  reads: { each: 5, cap: 30 },
  taps: { each: 10, cap: 30 },
  replies: { each: 5, cap: 25 },
  handovers_completed: { each: 15, cap: 15 },
};

/** The order of the signals in the factors and the reason. */
const SIGNALS: readonly EngagementSignal[] = ['replies', 'reads', 'taps', 'handovers_completed'];

const LABELS: Record<EngagementSignal, [singular: string, plural: string]> = {
  replies: ['reply', 'replies'],
  reads: ['read', 'reads'],
  taps: ['tap', 'taps'],
  handovers_completed: ['completed handover', 'completed handovers'],
};

function count(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 0;
}

/** The engagement score of what the contact did in the lookback window. */
export function engagementScore(signals: EngagementSignals): ComponentScore {
  const factors: Record<string, unknown> = {};
  const phrases: string[] = [];
  let total = 0;
  for (const signal of SIGNALS) {
    const n = count(signals[signal]);
    const { each, cap } = ENGAGEMENT_POINTS[signal];
    const points = Math.min(n * each, cap);
    total += points;
    factors[signal] = { count: n, points };
    const [one, many] = LABELS[signal];
    phrases.push(plural(n, one, many));
  }
  factors.lookback_days = signals.lookback_days;
  return {
    type: 'engagement',
    score: toScore(total),
    reason: `${listJoin(phrases)} in the last ${plural(signals.lookback_days, 'day')}`,
    factors,
  };
}
