import { describe, expect, it } from 'vitest';
import { qualificationFor, shouldPromoteToMql, type QualificationStatus } from '../../../../src/leads/scoring/index.js';

describe('qualification', () => {
  const rows: Array<{ score: number; threshold?: number; status: QualificationStatus }> = [
    { score: 0, status: 'disqualified' },
    { score: 39, status: 'disqualified' },
    { score: 40, status: 'unqualified' },
    { score: 69, status: 'unqualified' },
    { score: 70, status: 'qualified' },
    { score: 74, status: 'qualified' },
    { score: 75, status: 'qualified' },
    { score: 100, status: 'qualified' },
    // An organization's own threshold.
    { score: 75, threshold: 80, status: 'unqualified' },
    { score: 80, threshold: 80, status: 'qualified' },
    { score: 39, threshold: 80, status: 'disqualified' },
    { score: 45, threshold: 50, status: 'unqualified' },
    // A threshold below 40 wins over the disqualification.
    { score: 30, threshold: 30, status: 'qualified' },
    { score: 35, threshold: 30, status: 'qualified' },
    { score: 29, threshold: 30, status: 'disqualified' },
  ];

  it.each(rows)('$score (threshold $threshold) → $status', (row) => {
    expect(qualificationFor(row.score, row.threshold)).toBe(row.status);
  });

  const promotions: Array<{ score: number; stage: string; promote: boolean }> = [
    { score: 74, stage: 'lead', promote: false },
    { score: 75, stage: 'lead', promote: true },
    { score: 100, stage: 'lead', promote: true },
    { score: 90, stage: 'mql', promote: false },
    { score: 90, stage: 'sql', promote: false },
    { score: 90, stage: 'opportunity', promote: false },
    { score: 90, stage: 'customer', promote: false },
    { score: 90, stage: 'lost', promote: false },
    { score: 90, stage: 'LEAD', promote: false },
  ];

  it.each(promotions)('promote $score at $stage → $promote', (row) => {
    expect(shouldPromoteToMql(row.score, row.stage)).toBe(row.promote);
  });
});
