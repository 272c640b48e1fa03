/**
 * The combined score: the weighted average of the components, by default seed 003's weights
 * (ai_intent 25, engagement 25, demographic 15, workflow 20, manual 15 — `DEFAULT_WEIGHTS`).
 *
 *     score = round( Σ weight(c) × score(c) / Σ weight(c) )   over the components c that are present
 *
 * Decision: the weights are renormalized over the components that are PRESENT. A component
 * Puente has no data for (no messages yet, no demographic rule that applies, no qualification
 * answer, no manual score) is left out instead of counting as 0, so a lead who answered every
 * qualification question "yes" and shows strong intent is not held below the qualification
 * threshold merely because no rep has set a manual score. A component whose weight is 0 (or
 * negative, or not a number) is ignored, which is how an organization switches one off. No
 * component left → score 0, "No scores yet".
 *
 * Factors: `weights` (the weights used, normalized to percentages with 2 decimals) and
 * `components` (the score of each component used).
 */
import { listJoin, roundTo, toScore } from './math.js';
import { COMPONENT_TYPES, DEFAULT_WEIGHTS, type ComponentScore, type ComponentType, type ScoreWeights } from './types.js';

/** The weighted average of the components present. */
export function combinedScore(
  components: Partial<Record<ComponentType, ComponentScore>>,
  weights: ScoreWeights = DEFAULT_WEIGHTS,
): ComponentScore {
  const used = COMPONENT_TYPES.flatMap((type) => {
    const component = components[type];
    const weight = weights[type];
    return component != null && Number.isFinite(weight) && weight > 0 ? [{ type, weight, score: component.score }] : [];
  });
  const total = used.reduce((sum, u) => sum + u.weight, 0);
  if (used.length === 0 || total <= 0) {
    return { type: 'combined', score: 0, reason: 'No scores yet', factors: { weights: {}, components: {} } };
  }
  const normalized: Record<string, number> = {};
  const scores: Record<string, number> = {};
  for (const u of used) {
    normalized[u.type] = roundTo((100 * u.weight) / total, 2);
    scores[u.type] = u.score;
  }
  const average = used.reduce((sum, u) => sum + u.weight * u.score, 0) / total;
  return {
    type: 'combined',
    score: toScore(average),
    reason: `Weighted average of ${listJoin(used.map((u) => `${u.type} ${u.score}`))}`,
    factors: { weights: normalized, components: scores },
  };
}
