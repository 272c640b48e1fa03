import { describe, expect, it } from 'vitest';
import { combinedScore, type ComponentScore, type ComponentType, type ScoreWeights } from '../../../../src/leads/scoring/index.js';

const c = (type: ComponentType, score: number): ComponentScore => ({ type, score, reason: 'test', factors: {} });
type Scores = Partial<Record<ComponentType, number>>;
const components = (scores: Scores): Partial<Record<ComponentType, ComponentScore>> =>
  Object.fromEntries(Object.entries(scores).map(([type, score]) => [type, c(type as ComponentType, score)]));

const EVEN: ScoreWeights = { ai_intent: 1, engagement: 1, demographic: 1, workflow: 1, manual: 1 };
const INTENT_AND_ENGAGEMENT: ScoreWeights = { ai_intent: 50, engagement: 50, demographic: 0, workflow: 0, manual: 0 };

describe('combined score', () => {
  // Hand-computed: Σ weight × score / Σ weight over the components present with weight > 0.
  const rows: Array<{ name: string; scores: Scores; weights?: ScoreWeights; score: number; used: Record<string, number>; reason?: string }> = [
    { name: 'nothing yet', scores: {}, score: 0, used: {}, reason: 'No scores yet' },
    {
      name: 'all five, default weights: 7375 / 100 = 73.75',
      scores: { ai_intent: 80, engagement: 60, demographic: 75, workflow: 100, manual: 50 },
      score: 74,
      used: { ai_intent: 25, engagement: 25, demographic: 15, workflow: 20, manual: 15 },
    },
    {
      name: 'three present, renormalized: 5675 / 70 = 81.07',
      scores: { ai_intent: 82, engagement: 65, workflow: 100 },
      score: 81,
      used: { ai_intent: 35.71, engagement: 35.71, workflow: 28.57 },
      reason: 'Weighted average of ai_intent 82, engagement 65 and workflow 100',
    },
    { name: 'one present counts fully', scores: { engagement: 40 }, score: 40, used: { engagement: 100 }, reason: 'Weighted average of engagement 40' },
    { name: 'intent and demographic: 3150 / 40 = 78.75', scores: { ai_intent: 90, demographic: 60 }, score: 79, used: { ai_intent: 62.5, demographic: 37.5 } },
    { name: 'a half rounds up: 81.5', scores: { ai_intent: 81, engagement: 82 }, score: 82, used: { ai_intent: 50, engagement: 50 } },
    { name: 'engagement and manual: 2675 / 40 = 66.875', scores: { engagement: 65, manual: 70 }, score: 67, used: { engagement: 62.5, manual: 37.5 } },
    { name: 'a manual 0 is a score, not an absence: 2000 / 35', scores: { workflow: 100, manual: 0 }, score: 57, used: { workflow: 57.14, manual: 42.86 } },
    {
      name: 'custom weights: zero weights are ignored',
      scores: { ai_intent: 70, engagement: 40, demographic: 100, workflow: 100, manual: 100 },
      weights: INTENT_AND_ENGAGEMENT,
      score: 55,
      used: { ai_intent: 50, engagement: 50 },
      reason: 'Weighted average of ai_intent 70 and engagement 40',
    },
    { name: 'custom weights, only zero-weight components present', scores: { workflow: 100 }, weights: INTENT_AND_ENGAGEMENT, score: 0, used: {}, reason: 'No scores yet' },
    { name: 'custom weights that do not add up to 100: 61 / 3', scores: { ai_intent: 10, engagement: 20, workflow: 31 }, weights: EVEN, score: 20, used: { ai_intent: 33.33, engagement: 33.33, workflow: 33.33 } },
    { name: 'all zero', scores: { ai_intent: 0, engagement: 0 }, score: 0, used: { ai_intent: 50, engagement: 50 } },
    { name: 'all 100', scores: { ai_intent: 100, engagement: 100, demographic: 100, workflow: 100, manual: 100 }, score: 100, used: { ai_intent: 25, engagement: 25, demographic: 15, workflow: 20, manual: 15 } },
  ];

  it.each(rows)('$name → $score', (row) => {
    const result = combinedScore(components(row.scores), row.weights);
    expect(result.type).toBe('combined');
    expect(result.score).toBe(row.score);
    expect(result.factors.weights).toEqual(row.used);
    const usedScores = Object.fromEntries(Object.keys(row.used).map((type) => [type, row.scores[type as ComponentType]]));
    expect(result.factors.components).toEqual(usedScores);
    if (row.reason !== undefined) expect(result.reason).toBe(row.reason);
  });
});
