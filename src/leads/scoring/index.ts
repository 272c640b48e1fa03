/** The hybrid lead score: one entry point for its pure functions and contract (./types.ts). */
export * from './types.js';
export { ENGAGEMENT_POINTS, engagementScore, type EngagementSignal } from './engagement.js';
export {
  IGNORED_PHRASES,
  INTENTS,
  INTENT_NAMES,
  MAX_LISTED_MESSAGES,
  NEGATIONS,
  NEGATION_WINDOW,
  REPETITION_BONUS,
  URGENCY_BOOST,
  URGENCY_PHRASES,
  analyzeMessage,
  detectIntents,
  keywordIntentScorer,
  scoreIntent,
  tokenize,
  type Intent,
  type IntentDefinition,
  type IntentMatch,
  type MessageAnalysis,
} from './intent.js';
export { DEMOGRAPHIC_FIELD_PATTERN, demographicScore, fieldValue } from './demographic.js';
export {
  QUALIFICATION_QUESTIONS,
  QUALIFICATION_QUESTION_KEYS,
  workflowScore,
  type QualificationQuestionKey,
} from './workflow.js';
export { manualScore } from './manual.js';
export { combinedScore } from './combined.js';
export { qualificationFor, shouldPromoteToMql } from './qualification.js';
