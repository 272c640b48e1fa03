/**
 * WhatsApp campaigns (collection `campaigns`), their steps (`campaign_messages`: one approved
 * template each) and who is enrolled in them (`campaign_enrollments`). Like contacts and leads,
 * every document carries `org_id`, every query filters by it and field names are the API's.
 *
 * The enrollment is the recipient's row of the campaign: the API creates it and reads
 * its funnel timestamps; the sender, status webhooks and opt-outs fill them in. See
 * docs/campaigns.md.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { addOutbox } from '../platform/events/outbox.js';
import { modelOn } from '../platform/mongo/model.js';

/** `archived` is the soft delete; `completed` is set by the sender (sender.ts) once every enrollment has finished. */
export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed', 'archived'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Puente's campaigns are WhatsApp only (templates through the Cloud API). */
export const CAMPAIGN_TYPES = ['whatsapp'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

export const GOAL_TYPES = ['lead_generation', 'nurture', 'conversion', 'engagement', 'retention'] as const;
export type GoalType = (typeof GOAL_TYPES)[number];

export const ENROLLMENT_STATUSES = ['pending', 'active', 'paused', 'completed', 'bounced', 'unsubscribed'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];
/** Statuses after which nothing more is sent to the contact in this campaign. */
export const ENDED_ENROLLMENT_STATUSES: readonly EnrollmentStatus[] = ['completed', 'bounced', 'unsubscribed'];

/** How a contact came into the campaign. */
export const ENROLLMENT_SOURCES = ['api', 'criteria', 'import'] as const;
export type EnrollmentSource = (typeof ENROLLMENT_SOURCES)[number];

/**
 * Why an enrollment ended before its last step: `unenrolled` (the API), `opted_out` (STOP/BAJA, or
 * opted out when a step was due), `do_not_contact` (flagged when a step was due), `bounced`
 * (undeliverable), `skipped` (not sendable: no marketing consent, a personalization value missing;
 * `last_error` says which).
 */
export const EXIT_REASONS = ['unenrolled', 'opted_out', 'do_not_contact', 'bounced', 'skipped', 'completed'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const DELAY_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export type DelayUnit = (typeof DELAY_UNITS)[number];

export const MESSAGE_TYPES = ['whatsapp'] as const;

/** The campaign's audience rules (docs/campaigns.md, "Targeting"); stored with every default filled in. */
export interface TargetCriteria {
  lifecycle_stages: string[];
  lead_stages: string[];
  min_lead_score: number | null;
  max_lead_score: number | null;
  lead_sources: string[];
  tags: string[];
  opt_in_status: string[];
  exclude_do_not_contact: boolean;
  exclude_already_enrolled: boolean;
  max_contacts: number | null;
}

export interface CampaignSettings {
  /** Send each step without a `send_time` at the hour the contact usually reads (send-time-optimization.ts); a step's `send_time` wins. */
  send_time_optimization: boolean;
  /** e.g. `1_per_day`, `3_per_week`; null = no cap. Counted per contact across the organization's campaigns (sender.ts). */
  frequency_cap: string | null;
  /** Campaign messages per second (null: DEFAULT_SEND_RATE); never above WHATSAPP_MAX_MPS. */
  send_rate?: number | null;
  /** The organization's business number that sends (null: the organization's first). */
  phone_number_id?: string | null;
  /** Days after a contact's first send in which reaching the goal stage counts as a conversion (absent: 30, see conversions.ts). */
  conversion_window_days?: number;
}

/** One status change of a campaign: every change is kept, oldest first. */
export interface CampaignStatusChange {
  from: CampaignStatus | null;
  to: CampaignStatus;
  reason: string | null;
  /** `api:<key id>`, or `sender` for the sender's own changes (completed, auto-pause). */
  by: string;
  at: Date;
}

export interface CampaignDoc {
  _id: string;
  org_id: string;
  name: string;
  description?: string;
  campaign_type: CampaignType;
  status: CampaignStatus;
  target_criteria: TargetCriteria;
  goal_type?: GoalType;
  goal_value?: number;
  /** The lead stage that counts as a conversion (mql, sql, opportunity, customer); absent: customer. */
  goal_stage?: string;
  budget?: number;
  start_date?: Date;
  end_date?: Date;
  settings: CampaignSettings;
  status_history: CampaignStatusChange[];
  started_at?: Date;
  paused_at?: Date;
  completed_at?: Date;
  archived_at?: Date;
  created_at: Date;
  updated_at: Date;
}

/**
 * One template parameter: `value` is a literal, a personalization token (`{{first_name}}`) or text
 * with tokens in it; `fallback` replaces a token that is empty for a contact (null: none). `name`
 * is the placeholder it fills in a NAMED template (`first_name` for the template's
 * `{{first_name}}`), sent as Meta's `parameter_name`; absent for a positional template
 * (`{{1}}`, `{{2}}`…), whose parameters go in order.
 */
export interface TemplateParameter {
  value: string;
  fallback: string | null;
  name?: string | null;
}

export interface CampaignMessageDoc {
  _id: string;
  org_id: string;
  campaign_id: string;
  /** 1-based order of the step; unique in the campaign. */
  step_number: number;
  message_type: 'whatsapp';
  template_name: string;
  template_language: string;
  /** The body's parameters: in order (positional template), or each with its `name` (NAMED template). */
  template_parameters: TemplateParameter[];
  /** The header's text parameters, when the template's header has some (named like the body's). */
  header_parameters: TemplateParameter[];
  /** The media of an IMAGE, VIDEO or DOCUMENT header (https). */
  header_media_url?: string;
  /** Wait after the previous step (after enrollment for step 1) before this one is due. */
  delay_amount: number;
  delay_unit: DelayUnit;
  /** `HH:MM` or `HH:MM:SS` in the recipient's time zone: the step waits for that time of day. */
  send_time?: string;
  /** When the template was last found APPROVED with these parameter counts (absent: never checked, WHATSAPP_BUSINESS_ACCOUNT_ID unset). */
  template_verified_at?: Date;
  /** MARKETING, UTILITY or AUTHENTICATION, as Meta categorised the template at that check. */
  template_category?: string;
  created_at: Date;
  updated_at: Date;
}

export interface EnrollmentDoc {
  _id: string;
  org_id: string;
  campaign_id: string;
  contact_id: string;
  status: EnrollmentStatus;
  source: EnrollmentSource;
  import_id?: string;
  /** The last step sent (0: none yet). Part B moves it forward. */
  current_step: number;
  /** When the next step is due (the sender reads it; absent until the campaign runs). */
  next_step_at?: Date;
  /**
   * `claimed`: step `current_step` is being queued (a crash here is repaired by queueing it again,
   * under the same outbound id); `queued`: it is in the outbound lane. Absent before the first step.
   */
  send_state?: 'claimed' | 'queued';
  /** Written with a claim of several enrollments at once: which run's group won it (sender.ts). */
  claim_token?: string;
  /** The step send time optimization last held for the contact's usual hour: that step is not held again (sender.ts). */
  optimized_step?: number;
  exit_reason?: ExitReason;
  /** The funnel: each time is when the contact first reached that point in this campaign (part B sets them with $min). */
  enrolled_at: Date;
  sent_at?: Date;
  delivered_at?: Date;
  read_at?: Date;
  replied_at?: Date;
  converted_at?: Date;
  bounced_at?: Date;
  unsubscribed_at?: Date;
  unenrolled_at?: Date;
  completed_at?: Date;
  /** The last send failure (Meta's code and title), for a bounced enrollment. */
  last_error?: { code: string; title: string | null; at: Date };
  /** The lead whose stage change converted the contact, and that stage (conversions.ts): revenue is its deal value. */
  converted_lead_id?: string;
  converted_stage?: string;
  updated_at: Date;
}

/** The funnel timestamps an enrollment may carry, in funnel order. */
export const FUNNEL_FIELDS = ['enrolled_at', 'sent_at', 'delivered_at', 'read_at', 'replied_at', 'converted_at'] as const;
/** How an enrollment leaves the funnel early. */
export const EXIT_FIELDS = ['bounced_at', 'unsubscribed_at', 'unenrolled_at', 'completed_at'] as const;

const statusChangeSchema = new Schema<CampaignStatusChange>(
  { from: { type: String, enum: [...CAMPAIGN_STATUSES, null] }, to: { type: String, enum: CAMPAIGN_STATUSES, required: true }, reason: String, by: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

const campaignSchema = new Schema<CampaignDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    name: { type: String, required: true },
    description: String,
    campaign_type: { type: String, enum: CAMPAIGN_TYPES, required: true },
    status: { type: String, enum: CAMPAIGN_STATUSES, required: true },
    target_criteria: { type: Schema.Types.Mixed, required: true },
    goal_type: { type: String, enum: GOAL_TYPES },
    goal_value: Number,
    goal_stage: String,
    budget: Number,
    start_date: Date,
    end_date: Date,
    settings: { type: Schema.Types.Mixed, required: true },
    status_history: { type: [statusChangeSchema], default: [] },
    started_at: Date,
    paused_at: Date,
    completed_at: Date,
    archived_at: Date,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'campaigns', versionKey: false, minimize: false, autoIndex: true },
);
// campaign.started and campaign.paused are recorded with the status change itself.
addOutbox(campaignSchema);
campaignSchema.index({ org_id: 1, created_at: -1, _id: -1 });
campaignSchema.index({ org_id: 1, status: 1 });
// The sender's tick: active campaigns of every organization.
campaignSchema.index({ status: 1 });

const parameterShape = { _id: false, value: { type: String, required: true }, fallback: String, name: String };

const messageSchema = new Schema<CampaignMessageDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    campaign_id: { type: String, required: true },
    step_number: { type: Number, required: true },
    message_type: { type: String, enum: MESSAGE_TYPES, required: true },
    template_name: { type: String, required: true },
    template_language: { type: String, required: true },
    template_parameters: { type: [parameterShape], default: [] },
    header_parameters: { type: [parameterShape], default: [] },
    header_media_url: String,
    delay_amount: { type: Number, required: true },
    delay_unit: { type: String, enum: DELAY_UNITS, required: true },
    send_time: String,
    template_verified_at: Date,
    template_category: String,
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'campaign_messages', versionKey: false, minimize: false, autoIndex: true },
);
// One step per number: a second step 2 is a 409.
messageSchema.index({ org_id: 1, campaign_id: 1, step_number: 1 }, { unique: true });

const enrollmentSchema = new Schema<EnrollmentDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    campaign_id: { type: String, required: true },
    contact_id: { type: String, required: true },
    status: { type: String, enum: ENROLLMENT_STATUSES, required: true },
    source: { type: String, enum: ENROLLMENT_SOURCES, required: true },
    import_id: String,
    current_step: { type: Number, required: true, default: 0 },
    next_step_at: Date,
    send_state: { type: String, enum: ['claimed', 'queued'] },
    claim_token: String,
    optimized_step: Number,
    exit_reason: { type: String, enum: EXIT_REASONS },
    enrolled_at: { type: Date, required: true },
    sent_at: Date,
    delivered_at: Date,
    read_at: Date,
    replied_at: Date,
    converted_at: Date,
    bounced_at: Date,
    unsubscribed_at: Date,
    unenrolled_at: Date,
    completed_at: Date,
    last_error: { _id: false, code: String, title: String, at: Date },
    converted_lead_id: String,
    converted_stage: String,
    updated_at: { type: Date, required: true },
  },
  { collection: 'campaign_enrollments', versionKey: false, minimize: false, autoIndex: true },
);
// contact.enrolled is recorded on the enrollment it describes, in its insert.
addOutbox(enrollmentSchema);
// A contact is enrolled in a campaign once: concurrent enrollments of the same contact meet here.
enrollmentSchema.index({ org_id: 1, campaign_id: 1, contact_id: 1 }, { unique: true });
// Counts and lists by status; the funnel counts filter on the campaign and one timestamp.
enrollmentSchema.index({ org_id: 1, campaign_id: 1, status: 1 });
// A contact's enrollments (its deletion takes them along).
enrollmentSchema.index({ org_id: 1, contact_id: 1 });
// The sender's due steps: running enrollments of a campaign by when their next step is due.
enrollmentSchema.index({ org_id: 1, campaign_id: 1, status: 1, next_step_at: 1 });

export type CampaignModel = Model<CampaignDoc>;
export type CampaignMessageModel = Model<CampaignMessageDoc>;
export type EnrollmentModel = Model<EnrollmentDoc>;

/** The models on `connection` (registered once per connection). */
export function campaignModels(connection: Connection): { Campaign: CampaignModel; CampaignMessage: CampaignMessageModel; Enrollment: EnrollmentModel } {
  return {
    Campaign: modelOn(connection, 'Campaign', campaignSchema),
    CampaignMessage: modelOn(connection, 'CampaignMessage', messageSchema),
    Enrollment: modelOn(connection, 'CampaignEnrollment', enrollmentSchema),
  };
}
