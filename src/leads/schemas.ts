import { z } from '@hono/zod-openapi';
import { listEnvelopeSchema } from '../platform/http/pagination.js';
import { LEAD_STAGES, type LeadDoc } from './models.js';
import { DEMOGRAPHIC_FIELD_PATTERN } from './scoring/index.js';
import { COMPONENT_TYPES, DEFAULT_WEIGHTS, QUALIFICATION_STATUSES, SCORE_TYPES, type ScoreType } from './scoring/types.js';
import type { LeadStats, StoredScore } from './store.js';

const iso = () => z.string().openapi({ format: 'date-time' });
const text = (max: number) => z.string().trim().max(max);
/** A missing value is a wrong shape (400), an unknown one a refused value (422): zod reports a missing enum as invalid_value. */
const enumField = <T extends readonly [string, ...string[]]>(values: T, example: T[number]) => z.string().pipe(z.enum(values)).openapi({ type: 'string', enum: [...values], example });
/** Free-form objects, bounded like a contact's custom_fields. */
const bag = (what: string) =>
  z
    .record(z.string().max(64), z.unknown())
    .refine((v) => Object.keys(v).length <= 50, 'at most 50 keys')
    .refine((v) => JSON.stringify(v).length <= 8_192, 'at most 8 KiB of JSON')
    .openapi({ description: `${what}: at most 50 keys and 8 KiB of JSON` });

export const leadStageSchema = z.enum(LEAD_STAGES);
export const qualificationStatusSchema = z.enum(QUALIFICATION_STATUSES);
const money = z.number().min(0).max(1e12).openapi({ example: 10000 });

export const createLeadSchema = z
  .object({
    contact_id: z.string().min(1).max(100).openapi({ example: 'ct_Qm3x8yZpL0aB1cD2' }),
    source: text(100).min(1).default('api').openapi({ description: 'Where the lead came from (default api); one open lead per contact and source', example: 'website' }),
    campaign_id: text(100).min(1).optional().openapi({ example: 'cmp_q4_launch' }),
    deal_value: money.optional(),
    expected_close_date: z.iso.datetime({ offset: true }).optional().openapi({ example: '2025-12-31T00:00:00Z' }),
    qualification_data: bag('Answers and facts used by the workflow and demographic scores (budget_confirmed, timeline_defined, decision_maker_involved, company_size, industry, …)')
      .optional()
      .openapi({ example: { company_size: '51-200', industry: 'technology', budget_confirmed: true, timeline_defined: true, decision_maker_involved: true } }),
    custom_fields: bag('Anything else').optional().openapi({ example: { product_interest: 'Hogar 500 Mbps' } }),
  })
  .openapi('CreateLead');

export const updateLeadSchema = z
  .object({
    campaign_id: text(100).min(1).nullable().optional(),
    expected_close_date: z.iso.datetime({ offset: true }).nullable().optional(),
    qualification_data: bag('Merged into the stored qualification data; a key set to null is removed').optional(),
    custom_fields: bag('Merged into the stored custom fields; a key set to null is removed').optional(),
  })
  .openapi('UpdateLead');

export const stageChangeBodySchema = z
  .object({ stage: enumField(LEAD_STAGES, 'sql'), stage_reason: text(500).min(1).optional().openapi({ example: 'Budget confirmed, decision maker engaged' }) })
  .openapi('LeadStageChange');

export const dealValueBodySchema = z.object({ deal_value: money }).openapi('LeadDealValue');

export const manualScoreBodySchema = z
  .object({
    score_value: z.number().min(0).max(100).openapi({ example: 85 }),
    reason: text(500).min(1).openapi({ example: 'High-value enterprise prospect with clear budget' }),
  })
  .openapi('LeadManualScore');

const stageHistorySchema = z.object({ from: leadStageSchema.nullable(), to: leadStageSchema, reason: z.string().nullable(), by: z.string(), at: iso() }).openapi('LeadStageHistoryEntry');

export const leadSchema = z
  .object({
    id: z.string(),
    contact_id: z.string(),
    contact: z.object({ name: z.string().nullable(), email: z.string().nullable(), phone: z.string() }),
    source: z.string(),
    campaign_id: z.string().nullable(),
    stage: leadStageSchema,
    stage_reason: z.string().nullable(),
    stage_changed_at: iso(),
    stage_history: z.array(stageHistorySchema).openapi({ description: 'Every stage change, oldest first; `by` is `api:<key id>`, `bot` or `scoring`' }),
    score: z.number().int().openapi({ description: 'The latest combined score (0–100)' }),
    qualification_status: qualificationStatusSchema.nullable().openapi({ description: 'null until the lead is first scored' }),
    scored_at: iso().nullable(),
    deal_value: z.number().nullable(),
    expected_close_date: iso().nullable(),
    qualification_data: z.record(z.string(), z.unknown()),
    custom_fields: z.record(z.string(), z.unknown()),
    assignee_id: z.string().nullable(),
    assigned_at: iso().nullable(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Lead');
export type LeadJson = z.infer<typeof leadSchema>;
export const leadListSchema = listEnvelopeSchema(leadSchema, 'LeadList');

const scoreEntrySchema = z
  .object({
    latest_score: z.number().int(),
    latest_scored_at: iso(),
    reason: z.string(),
    confidence: z.number().nullable(),
    factors: z.record(z.string(), z.unknown()),
    set_by: z.string().nullable().openapi({ description: 'Who set a manual score' }),
  })
  .openapi('LeadScoreEntry');

export const scoresSchema = z
  .object({
    lead_id: z.string(),
    scores_by_type: z.object(Object.fromEntries(SCORE_TYPES.map((t) => [t, scoreEntrySchema.optional()])) as Record<ScoreType, z.ZodOptional<typeof scoreEntrySchema>>),
    latest_combined_score: z.number().int(),
    qualification_status: qualificationStatusSchema.nullable(),
    weights: z.record(z.string(), z.number()),
  })
  .openapi('LeadScores');

export const statsSchema = z
  .object({
    total_leads: z.number().int(),
    lead_count: z.number().int(),
    mql_count: z.number().int(),
    sql_count: z.number().int(),
    opportunity_count: z.number().int(),
    customer_count: z.number().int(),
    lost_count: z.number().int(),
    avg_score: z.number(),
    total_pipeline_value: z.number().openapi({ description: 'Sum of the deal values of open leads (not customer, not lost)' }),
    won_value: z.number().openapi({ description: 'Sum of the deal values of leads that became customers' }),
    qualified_count: z.number().int(),
    unqualified_count: z.number().int(),
    disqualified_count: z.number().int(),
    unscored_count: z.number().int(),
  })
  .openapi('LeadStats') satisfies z.ZodType<LeadStats>;

const demographicRuleSchema = z
  .object({
    field: z.string().regex(DEMOGRAPHIC_FIELD_PATTERN, 'qualification_data.<key>, custom_fields.<key>, contact.company, contact.tags, contact.locale or contact.custom_fields.<key>').openapi({ example: 'qualification_data.company_size' }),
    points: z
      .record(z.string().min(1).max(100), z.number().min(0).max(100))
      .refine((p) => Object.keys(p).length >= 1 && Object.keys(p).length <= 100, '1 to 100 values')
      .openapi({ example: { '1-10': 30, '51-200': 60, '200+': 90 } }),
    default_points: z.number().min(0).max(100).optional(),
  })
  .openapi('DemographicRule');

export const weightsSchema = z
  .object(Object.fromEntries(COMPONENT_TYPES.map((t) => [t, z.number().min(0).max(100)])) as Record<(typeof COMPONENT_TYPES)[number], z.ZodNumber>)
  .refine((w) => Object.values(w).some((v) => v > 0), 'at least one weight above 0')
  .openapi('ScoreWeights', { example: DEFAULT_WEIGHTS });

export const scoringRulesBodySchema = z
  .object({
    demographic_rules: z.array(demographicRuleSchema).max(50).default([]),
    weights: weightsSchema.optional().openapi({ description: 'Percent per component, normalized over the components a lead has (default: seed 003’s 25/25/15/20/15)' }),
  })
  .openapi('ScoringRulesUpdate');

export const scoringRulesSchema = z
  .object({ demographic_rules: z.array(demographicRuleSchema), weights: weightsSchema, updated_at: iso().nullable() })
  .openapi('ScoringRules');

export const leadIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'ld_Xk2m9QpL0aB1cD2e' }) });

const isoOrNull = (d: Date | undefined | null) => d?.toISOString() ?? null;

export const toLead = (doc: LeadDoc): LeadJson => ({
  id: doc._id,
  contact_id: doc.contact_id,
  contact: { name: doc.contact?.name ?? null, email: doc.contact?.email ?? null, phone: doc.contact?.phone ?? '' },
  source: doc.source,
  campaign_id: doc.campaign_id ?? null,
  stage: doc.stage,
  stage_reason: doc.stage_reason ?? null,
  stage_changed_at: doc.stage_changed_at.toISOString(),
  stage_history: (doc.stage_history ?? []).map((h) => ({ from: h.from ?? null, to: h.to, reason: h.reason ?? null, by: h.by, at: h.at.toISOString() })),
  score: doc.score,
  qualification_status: doc.qualification_status ?? null,
  scored_at: isoOrNull(doc.scored_at),
  deal_value: doc.deal_value ?? null,
  expected_close_date: isoOrNull(doc.expected_close_date),
  qualification_data: doc.qualification_data ?? {},
  custom_fields: doc.custom_fields ?? {},
  assignee_id: doc.assignee_id ?? null,
  assigned_at: isoOrNull(doc.assigned_at),
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

export const toScoreEntry = (s: StoredScore) => ({
  latest_score: s.score,
  latest_scored_at: new Date(s.scored_at).toISOString(),
  reason: s.reason,
  confidence: s.confidence ?? null,
  factors: s.factors,
  set_by: s.by ?? null,
});

export const leadExample: LeadJson = {
  id: 'ld_Xk2m9QpL0aB1cD2e',
  contact_id: 'ct_Qm3x8yZpL0aB1cD2',
  contact: { name: 'María Pérez', email: 'maria@example.com', phone: '573001234567' },
  source: 'website',
  campaign_id: null,
  stage: 'mql',
  stage_reason: 'Combined score 78 reached 75 (auto-qualification)',
  stage_changed_at: '2025-01-16T14:30:00.000Z',
  stage_history: [
    { from: null, to: 'lead', reason: null, by: 'api:key_Ab12Cd34Ef56Gh78', at: '2025-01-15T10:00:00.000Z' },
    { from: 'lead', to: 'mql', reason: 'Combined score 78 reached 75 (auto-qualification)', by: 'scoring', at: '2025-01-16T14:30:00.000Z' },
  ],
  score: 78,
  qualification_status: 'qualified',
  scored_at: '2025-01-16T14:30:00.000Z',
  deal_value: 10000,
  expected_close_date: '2025-12-31T00:00:00.000Z',
  qualification_data: { company_size: '51-200', budget_confirmed: true, timeline_defined: true, decision_maker_involved: true },
  custom_fields: { product_interest: 'Hogar 500 Mbps' },
  assignee_id: 'rep-5',
  assigned_at: '2025-01-15T11:00:00.000Z',
  created_at: '2025-01-15T10:00:00.000Z',
  updated_at: '2025-01-16T14:30:00.000Z',
};
