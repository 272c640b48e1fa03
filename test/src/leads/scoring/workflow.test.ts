import { describe, expect, it } from 'vitest';
import { QUALIFICATION_QUESTIONS, workflowScore } from '../../../../src/leads/scoring/index.js';

describe('workflow score', () => {
  it('has the seed points: budget 15, timeline 15, decision maker 20', () => {
    expect(Object.fromEntries(Object.entries(QUALIFICATION_QUESTIONS).map(([k, q]) => [k, q.points]))).toEqual({
      budget_confirmed: 15,
      timeline_defined: 15,
      decision_maker_involved: 20,
    });
  });

  // score = points of the "yes" answers (max 50) + answered/3 × 50, rounded at the end; computed by hand.
  const rows: Array<{ name: string; data: Record<string, unknown>; score: number | null; completion?: number; answered?: number }> = [
    { name: 'no answers', data: {}, score: null },
    { name: 'strings are not answers', data: { budget_confirmed: 'yes', timeline_defined: 'sí', decision_maker_involved: 1 }, score: null },
    { name: 'null is not an answer', data: { budget_confirmed: null }, score: null },
    { name: 'three yes', data: { budget_confirmed: true, timeline_defined: true, decision_maker_involved: true }, score: 100, completion: 100, answered: 3 },
    { name: 'three no', data: { budget_confirmed: false, timeline_defined: false, decision_maker_involved: false }, score: 50, completion: 100, answered: 3 },
    { name: 'only budget, yes: 15 + 16.67', data: { budget_confirmed: true }, score: 32, completion: 33, answered: 1 },
    { name: 'only budget, no: 0 + 16.67', data: { budget_confirmed: false }, score: 17, completion: 33, answered: 1 },
    { name: 'only decision maker, yes: 20 + 16.67', data: { decision_maker_involved: true }, score: 37, completion: 33, answered: 1 },
    { name: 'budget and timeline yes: 30 + 33.33', data: { budget_confirmed: true, timeline_defined: true }, score: 63, completion: 67, answered: 2 },
    { name: 'timeline yes, decision maker no: 15 + 33.33', data: { timeline_defined: true, decision_maker_involved: false }, score: 48, completion: 67, answered: 2 },
    { name: 'timeline and decision maker yes: 35 + 33.33', data: { timeline_defined: true, decision_maker_involved: true }, score: 68, completion: 67, answered: 2 },
    { name: 'budget and decision maker yes, timeline no: 35 + 50', data: { budget_confirmed: true, timeline_defined: false, decision_maker_involved: true }, score: 85, completion: 100, answered: 3 },
    { name: 'a string beside a boolean counts only the boolean', data: { budget_confirmed: true, timeline_defined: 'sí', decision_maker_involved: null }, score: 32, completion: 33, answered: 1 },
    { name: 'other keys are ignored', data: { budget_confirmed: true, company_size: '51-200', urgent: true }, score: 32, completion: 33, answered: 1 },
  ];

  it.each(rows)('$name → $score', (row) => {
    const result = workflowScore(row.data);
    if (row.score === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result?.type).toBe('workflow');
    expect(result?.score).toBe(row.score);
    expect(result?.factors).toMatchObject({ completion_percentage: row.completion, answered_questions: row.answered });
  });

  it('explains each answer and its points', () => {
    expect(workflowScore({ budget_confirmed: true, decision_maker_involved: false })).toEqual({
      type: 'workflow',
      score: 48, // 15 + 33.33
      reason: '2 of 3 qualification questions answered (budget confirmed: yes, decision maker involved: no)',
      factors: {
        completion_percentage: 67,
        answered_questions: 2,
        answers: {
          budget_confirmed: { answer: true, points: 15 },
          timeline_defined: { answer: null, points: 0 },
          decision_maker_involved: { answer: false, points: 0 },
        },
      },
    });
  });
});
