/**
 * The workflow component: the answers to the qualification questions (the plans option of the bot
 * asks them on WhatsApp; the API can set them in the lead's `qualification_data`).
 *
 * | key                       | question (bot, es-CO)                         | points for "yes" |
 * | ------------------------- | --------------------------------------------- | ---------------- |
 * | `budget_confirmed`        | ¿Ya tienes presupuesto para este plan?        | 15               |
 * | `timeline_defined`        | ¿Quieres instalarlo en el próximo mes?        | 15               |
 * | `decision_maker_involved` | ¿Eres tú quien decide la contratación?        | 20               |
 *
 *     score = (points of the questions answered true)           max 50
 *           + completion_percentage / 2                          max 50
 *     completion_percentage = 100 × answered / 3
 *
 * rounded to an integer once, at the end: three "yes" = 100, three "no" = 50, only budget
 * answered "yes" = 15 + 16.67 → 32. Only booleans are answers: a missing key, null, or a string
 * such as "yes" / "sí" means "not answered" (the API and the bot store booleans; guessing at
 * free text would make the score depend on spelling). No boolean at all → null (no workflow
 * score yet). `completion_percentage` in the factors is rounded to an integer (33, 67); the score
 * uses the exact fraction.
 */
import { plural, toScore } from './math.js';
import type { ComponentScore } from './types.js';

export const QUALIFICATION_QUESTION_KEYS = ['budget_confirmed', 'timeline_defined', 'decision_maker_involved'] as const;
export type QualificationQuestionKey = (typeof QUALIFICATION_QUESTION_KEYS)[number];

/** Points of a "yes" to each qualification question (they add up to 50). */
export const QUALIFICATION_QUESTIONS: Readonly<Record<QualificationQuestionKey, { readonly points: number; readonly label: string }>> = {
  budget_confirmed: { points: 15, label: 'budget confirmed' },
  timeline_defined: { points: 15, label: 'timeline defined' },
  decision_maker_involved: { points: 20, label: 'decision maker involved' },
};

/** The weight of completion in the score: completion_percentage × this (100% → 50 points). */
const COMPLETION_WEIGHT = 0.5;

/** The workflow score of a lead's qualification answers, or null when none is answered. */
export function workflowScore(qualificationData: Record<string, unknown>): ComponentScore | null {
  const answers: Record<string, { answer: boolean | null; points: number }> = {};
  const said: string[] = [];
  let answered = 0;
  let points = 0;
  for (const key of QUALIFICATION_QUESTION_KEYS) {
    const raw = Object.hasOwn(qualificationData, key) ? qualificationData[key] : undefined;
    const answer = typeof raw === 'boolean' ? raw : null;
    const question = QUALIFICATION_QUESTIONS[key];
    const earned = answer === true ? question.points : 0;
    answers[key] = { answer, points: earned };
    if (answer === null) continue;
    answered += 1;
    points += earned;
    said.push(`${question.label}: ${answer ? 'yes' : 'no'}`);
  }
  if (answered === 0) return null;
  const total = QUALIFICATION_QUESTION_KEYS.length;
  const completion = (100 * answered) / total;
  return {
    type: 'workflow',
    score: toScore(points + completion * COMPLETION_WEIGHT),
    reason: `${answered} of ${plural(total, 'qualification question')} answered (${said.join(', ')})`,
    factors: {
      completion_percentage: Math.round(completion),
      answered_questions: answered,
      answers,
    },
  };
}
