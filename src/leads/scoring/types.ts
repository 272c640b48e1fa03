/**
 * The hybrid lead score (seed 003's "Lead Scoring"), as Puente computes it from what it sees on
 * WhatsApp. Each component is a pure function of its inputs (./engagement.ts, ./intent.ts,
 * ./demographic.ts, ./workflow.ts, ./manual.ts), combined by ./combined.ts and turned into a
 * qualification by ./qualification.ts. The leads module gathers the inputs and stores every
 * score with its factors, so `GET /api/v1/leads/{id}/scores` explains each number.
 */

/** The components, in the seed's names; `behavioral` (web visits) is not something Puente sees. */
export const COMPONENT_TYPES = ['ai_intent', 'engagement', 'demographic', 'workflow', 'manual'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];
export const SCORE_TYPES = [...COMPONENT_TYPES, 'combined'] as const;
export type ScoreType = (typeof SCORE_TYPES)[number];

/** One computed score: an integer 0–100 and what it was made of. */
export interface ComponentScore {
  type: ScoreType;
  /** 0–100, rounded to an integer. */
  score: number;
  /** 0–1, where the component has a notion of it (ai_intent). */
  confidence?: number;
  /** One sentence a sales rep can read, e.g. "2 replies, 3 reads, 1 tap in the last 30 days". */
  reason: string;
  /** The inputs and the points each gave: JSON-serializable. */
  factors: Record<string, unknown>;
}

/** What Puente saw of the contact on WhatsApp in the lookback window (30 days). */
export interface EngagementSignals {
  /** Messages the user wrote (any type). */
  replies: number;
  /** Messages sent to the user (bot, agent, campaign) that reached `read`. */
  reads: number;
  /** Interactive answers: reply buttons, list rows, template quick replies. */
  taps: number;
  /** Handovers to a person that ended with the agent closing the ticket. */
  handovers_completed: number;
  lookback_days: number;
}

/** A message the user wrote, for the intent classifier. */
export interface UserMessage {
  /** WhatsApp message id, when known (kept in the factors so a rep can find the message). */
  id?: string;
  text: string;
  at: Date;
}

/**
 * Purchase intent from the user's own words. The built-in one is a deterministic keyword and
 * phrase classifier (./intent.ts); a model-based scorer can implement the same interface later.
 */
export interface IntentScorer {
  readonly name: string;
  /** The ai_intent score of these messages (oldest first), or null when there are none to judge. */
  score(messages: readonly UserMessage[]): ComponentScore | null;
}

/**
 * An organization's demographic rule: the points a value of `field` is worth. `field` is a path
 * into the lead as the rules see it: `qualification_data.<key>`, `custom_fields.<key>` (the
 * lead's), `contact.company`, `contact.tags`, `contact.locale`, `contact.custom_fields.<key>`.
 * Values are compared as lowercase trimmed strings (booleans and numbers as their JSON text); for
 * an array field (tags) the best-scoring element counts.
 */
export interface DemographicRule {
  field: string;
  /** Points (0–100) by value. */
  points: Record<string, number>;
  /** Points when the field has a value not listed; without it such a rule is skipped. */
  default_points?: number;
}

/** What the demographic rules are applied to. */
export interface DemographicSubject {
  qualification_data: Record<string, unknown>;
  custom_fields: Record<string, unknown>;
  contact: { company?: string | null; tags?: string[]; locale?: string | null; custom_fields?: Record<string, unknown> };
}

/** Weights of the combined score, in percent (need not add up to 100: they are normalized). */
export type ScoreWeights = Record<ComponentType, number>;

/** Seed 003's default weights. */
export const DEFAULT_WEIGHTS: ScoreWeights = { ai_intent: 25, engagement: 25, demographic: 15, workflow: 20, manual: 15 };

export const QUALIFICATION_STATUSES = ['qualified', 'unqualified', 'disqualified'] as const;
export type QualificationStatus = (typeof QUALIFICATION_STATUSES)[number];

/** Seed 003's auto-qualification rules. */
export const QUALIFY_AT = 70;
export const PROMOTE_TO_MQL_AT = 75;
export const DISQUALIFY_BELOW = 40;
