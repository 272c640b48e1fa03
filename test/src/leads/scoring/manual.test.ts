import { describe, expect, it } from 'vitest';
import { manualScore } from '../../../../src/leads/scoring/index.js';

describe('manual score', () => {
  const rows: Array<{ value: number; reason: string; score: number; text: string }> = [
    { value: 80, reason: 'Llamé y quiere firmar esta semana', score: 80, text: 'Llamé y quiere firmar esta semana' },
    { value: 72.5, reason: '  spoke to the owner  ', score: 73, text: 'spoke to the owner' },
    { value: 72.4, reason: 'x', score: 72, text: 'x' },
    { value: 0, reason: '', score: 0, text: 'Set manually to 0' },
    { value: 100, reason: '   ', score: 100, text: 'Set manually to 100' },
    { value: 100.4, reason: 'r', score: 100, text: 'r' },
    { value: -3, reason: 'r', score: 0, text: 'r' },
    { value: 150, reason: 'r', score: 100, text: 'r' },
  ];

  it.each(rows)('$value → $score', (row) => {
    expect(manualScore(row.value, row.reason)).toEqual({ type: 'manual', score: row.score, reason: row.text, factors: { value: row.value } });
  });

  it('refuses a value that is not a number', () => {
    expect(() => manualScore(Number.NaN, 'r')).toThrow(RangeError);
    expect(() => manualScore(Number.POSITIVE_INFINITY, 'r')).toThrow(RangeError);
  });
});
