/**
 * Leads (collection `leads`), every score computed for them (`lead_scores`) and each
 * organization's scoring settings (`scoring_settings`). Like contacts, every document carries
 * `org_id`, every query filters by it, and field names are the API's (snake_case).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { addOutbox } from '../platform/events/outbox.js';
import { modelOn } from '../platform/mongo/model.js';
import { COMPONENT_TYPES, QUALIFICATION_STATUSES, SCORE_TYPES, type DemographicRule, type QualificationStatus, type ScoreType, type ScoreWeights } from './scoring/types.js';

/** Sales funnel stages (seed 003); every lead starts at `lead`. */
export const LEAD_STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'lost'] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];
/** Stages after which a lead is no longer open: a new lead for the same contact and source may start. */
export const CLOSED_STAGES: readonly LeadStage[] = ['customer', 'lost'];

/** One stage change: every change is kept, oldest first. */
export interface StageChange {
  /** null for the stage the lead was created at. */
  from: LeadStage | null;
  to: LeadStage;
  reason: string | null;
  /** Who moved it: `api:<key id>`, `scoring` (auto-qualification) or `bot`. */
  by: string;
  at: Date;
}

/** The contact's fields the lead search and answers need, copied onto the lead and kept in step. */
export interface LeadContactSnapshot {
  name: string | null;
  email: string | null;
  phone: string;
}

export interface LeadDoc {
  _id: string;
  org_id: string;
  contact_id: string;
  contact: LeadContactSnapshot;
  /** Lowercased, accent-free name, email and phone: what `query` searches. */
  search_text: string;
  source: string;
  campaign_id?: string;
  deal_value?: number;
  expected_close_date?: Date;
  qualification_data: Record<string, unknown>;
  custom_fields: Record<string, unknown>;
  stage: LeadStage;
  stage_reason?: string;
  stage_changed_at: Date;
  stage_history: StageChange[];
  /** The latest combined score (0 until scored). */
  score: number;
  qualification_status: QualificationStatus | null;
  scored_at?: Date;
  assignee_id?: string;
  assigned_at?: Date;
  /** true until the lead reaches a closed stage; one open lead per (contact, source). */
  open: boolean;
  /** The latest score of each type (the history is in `lead_scores`); left out of API answers. */
  scores?: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** One computed score of a lead, kept with its factors (a new document only when it changed). */
export interface LeadScoreDoc {
  _id: string;
  org_id: string;
  lead_id: string;
  score_type: ScoreType;
  score: number;
  confidence?: number;
  reason: string;
  factors: Record<string, unknown>;
  /** Who set a manual score. */
  by?: string;
  scored_at: Date;
}

/** An organization's scoring settings (`PUT /api/v1/scoring/rules`). */
export interface ScoringSettingsDoc {
  _id: string;
  demographic_rules: DemographicRule[];
  weights: ScoreWeights;
  updated_at: Date;
}

const stageChangeSchema = new Schema<StageChange>(
  { from: { type: String, enum: [...LEAD_STAGES, null] }, to: { type: String, enum: LEAD_STAGES, required: true }, reason: String, by: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

const leadSchema = new Schema<LeadDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    contact_id: { type: String, required: true },
    contact: { _id: false, name: String, email: String, phone: { type: String, required: true } },
    search_text: { type: String, default: '' },
    source: { type: String, required: true },
    campaign_id: String,
    deal_value: Number,
    expected_close_date: Date,
    qualification_data: { type: Schema.Types.Mixed, default: {} },
    custom_fields: { type: Schema.Types.Mixed, default: {} },
    stage: { type: String, enum: LEAD_STAGES, required: true },
    stage_reason: String,
    stage_changed_at: { type: Date, required: true },
    stage_history: { type: [stageChangeSchema], default: [] },
    score: { type: Number, required: true, default: 0 },
    qualification_status: { type: String, enum: [...QUALIFICATION_STATUSES, null], default: null },
    scored_at: Date,
    assignee_id: String,
    assigned_at: Date,
    open: { type: Boolean, required: true },
    scores: { type: Schema.Types.Mixed, default: {} },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'leads', versionKey: false, minimize: false, autoIndex: true },
);
// Its events (lead.created, lead.updated, …) are recorded with the change itself.
addOutbox(leadSchema);
// At most one open lead per contact and source: a second create is a 409, the bot updates it.
leadSchema.index({ org_id: 1, contact_id: 1, source: 1 }, { unique: true, partialFilterExpression: { open: true } });
leadSchema.index({ org_id: 1, contact_id: 1 });
// A WhatsApp event names the user by phone: their leads are found without reading the contact.
leadSchema.index({ org_id: 1, 'contact.phone': 1 });
// Search: the default order, then the filters that narrow it most.
leadSchema.index({ org_id: 1, created_at: -1, _id: -1 });
leadSchema.index({ org_id: 1, stage: 1 });
leadSchema.index({ org_id: 1, assignee_id: 1 });
leadSchema.index({ org_id: 1, qualification_status: 1 });
// The retention purge (src/privacy/retention.ts): closed leads by last change; open leads stay out of it.
leadSchema.index({ updated_at: 1 }, { partialFilterExpression: { open: false } });

const leadScoreSchema = new Schema<LeadScoreDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    lead_id: { type: String, required: true },
    score_type: { type: String, enum: SCORE_TYPES, required: true },
    score: { type: Number, required: true },
    confidence: Number,
    reason: { type: String, required: true },
    factors: { type: Schema.Types.Mixed, default: {} },
    by: String,
    scored_at: { type: Date, required: true },
  },
  { collection: 'lead_scores', versionKey: false, minimize: false, autoIndex: true },
);
leadScoreSchema.index({ org_id: 1, lead_id: 1, score_type: 1, scored_at: -1 });

const weightsShape = Object.fromEntries(COMPONENT_TYPES.map((t) => [t, { type: Number, required: true }]));
const scoringSettingsSchema = new Schema<ScoringSettingsDoc>(
  {
    _id: { type: String, required: true },
    demographic_rules: { type: Schema.Types.Mixed, default: [] },
    weights: { _id: false, ...weightsShape },
    updated_at: { type: Date, required: true },
  },
  { collection: 'scoring_settings', versionKey: false, minimize: false },
);

export type LeadModel = Model<LeadDoc>;
export type LeadScoreModel = Model<LeadScoreDoc>;
export type ScoringSettingsModel = Model<ScoringSettingsDoc>;

/** The models on `connection` (registered once per connection). */
export function leadModels(connection: Connection): { Lead: LeadModel; LeadScore: LeadScoreModel; ScoringSettings: ScoringSettingsModel } {
  return {
    Lead: modelOn(connection, 'Lead', leadSchema),
    LeadScore: modelOn(connection, 'LeadScore', leadScoreSchema),
    ScoringSettings: modelOn(connection, 'ScoringSettings', scoringSettingsSchema),
  };
}
