import { describe, expect, it } from 'vitest';
import { ENGAGEMENT_POINTS, engagementScore, type EngagementSignals } from '../../../../src/leads/scoring/index.js';

const signals = (s: Partial<EngagementSignals>): EngagementSignals => ({ replies: 0, reads: 0, taps: 0, handovers_completed: 0, lookback_days: 30, ...s });

describe('engagement score', () => {
  it('has the decided points and caps (the caps add up to 100)', () => {
    expect(ENGAGEMENT_POINTS).toEqual({
      reads: { each: 5, cap: 30 },
      taps: { each: 10, cap: 30 },
      replies: { each: 5, cap: 25 },
      handovers_completed: { each: 15, cap: 15 },
    });
  });

  // Expected scores computed by hand: reads 5 (cap 30), taps 10 (cap 30), replies 5 (cap 25), handovers 15 (cap 15).
  const rows: Array<{ name: string; in: Partial<EngagementSignals>; score: number; points: [replies: number, reads: number, taps: number, handovers: number]; reason?: string }> = [
    { name: 'nothing at all', in: {}, score: 0, points: [0, 0, 0, 0], reason: '0 replies, 0 reads, 0 taps and 0 completed handovers in the last 30 days' },
    { name: '3 replies, 2 reads, 1 tap', in: { replies: 3, reads: 2, taps: 1 }, score: 35, points: [15, 10, 10, 0], reason: '3 replies, 2 reads, 1 tap and 0 completed handovers in the last 30 days' },
    { name: 'one of each (singular wording)', in: { replies: 1, reads: 1, taps: 1, handovers_completed: 1 }, score: 35, points: [5, 5, 10, 15], reason: '1 reply, 1 read, 1 tap and 1 completed handover in the last 30 days' },
    { name: 'every signal exactly at its cap', in: { replies: 5, reads: 6, taps: 3, handovers_completed: 1 }, score: 100, points: [25, 30, 30, 15] },
    { name: 'every signal far over its cap', in: { replies: 40, reads: 50, taps: 9, handovers_completed: 4 }, score: 100, points: [25, 30, 30, 15] },
    { name: 'reads alone, capped at 30', in: { reads: 7 }, score: 30, points: [0, 30, 0, 0] },
    { name: 'one tap short of the cap', in: { taps: 2 }, score: 20, points: [0, 0, 20, 0] },
    { name: 'replies one over the cap', in: { replies: 6, handovers_completed: 1 }, score: 40, points: [25, 0, 0, 15] },
    { name: 'negative and fractional counts are floored at 0', in: { replies: -2, reads: 2.9 }, score: 10, points: [0, 10, 0, 0] },
    { name: 'a shorter lookback is reported', in: { taps: 1, lookback_days: 7 }, score: 10, points: [0, 0, 10, 0], reason: '0 replies, 0 reads, 1 tap and 0 completed handovers in the last 7 days' },
  ];

  it.each(rows)('$name → $score', (row) => {
    const result = engagementScore(signals(row.in));
    expect(result.type).toBe('engagement');
    expect(result.score).toBe(row.score);
    const [replies, reads, taps, handovers] = row.points;
    expect(result.factors).toMatchObject({
      replies: { points: replies },
      reads: { points: reads },
      taps: { points: taps },
      handovers_completed: { points: handovers },
      lookback_days: row.in.lookback_days ?? 30,
    });
    if (row.reason !== undefined) expect(result.reason).toBe(row.reason);
  });

  it('keeps the raw counts in the factors', () => {
    expect(engagementScore(signals({ replies: 40, reads: 2, taps: 9, handovers_completed: 0 })).factors).toEqual({
      replies: { count: 40, points: 25 },
      reads: { count: 2, points: 10 },
      taps: { count: 9, points: 30 },
      handovers_completed: { count: 0, points: 0 },
      lookback_days: 30,
    });
  });
});
