import { z } from '@hono/zod-openapi';
import { OPT_IN_STATUSES } from '../contacts/models.js';
import { LEAD_STAGES } from '../leads/models.js';
import { listEnvelopeSchema } from '../platform/http/pagination.js';
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_TYPES,
  DELAY_UNITS,
  ENROLLMENT_SOURCES,
  ENROLLMENT_STATUSES,
  EXIT_REASONS,
  GOAL_TYPES,
  MESSAGE_TYPES,
  type CampaignDoc,
  type CampaignMessageDoc,
  type EnrollmentDoc,
  type TemplateParameter,
} from './models.js';
import { MAX_PARAMETER_LENGTH } from './personalization.js';
import { DEFAULT_CONVERSION_WINDOW_DAYS, GOAL_STAGES, MAX_CONVERSION_WINDOW_DAYS } from './conversions.js';

const iso = () => z.string().openapi({ format: 'date-time' });
const text = (max: number) => z.string().trim().max(max);
/** A missing value is a wrong shape (400), an unknown one a refused value (422): zod reports a missing enum as invalid_value. */
const enumField = <T extends readonly [string, ...string[]]>(values: T, example: T[number], error?: string) =>
  z
    .string()
    .pipe(z.enum(values, error ? { error } : undefined))
    .openapi({ type: 'string', enum: [...values], example });
const money = z.number().min(0).max(1e12);
/** Request-only: status moves through /start, /pause, /resume and DELETE. */
const noStatus = z.never({ error: 'status changes through POST /start, /pause, /resume and DELETE (archive), not in the body' }).optional().openapi({ type: 'string', description: 'Not accepted: see /start, /pause, /resume and DELETE' });

export const WHATSAPP_ONLY = 'Puente campaigns are WhatsApp only: campaign_type must be "whatsapp"';
export const WHATSAPP_MESSAGES_ONLY = 'Puente campaign messages are WhatsApp templates: message_type must be "whatsapp"';
/** `HH:MM` or `HH:MM:SS`, 24 h. */
export const SEND_TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
/** `none`, or `<n>_per_<day|week|month>` (n 1–99). */
export const FREQUENCY_CAP = /^(none|[1-9]\d?_per_(day|week|month))$/;
/** What a frequency cap looks like at all (anything else is a malformed request, 400). */
export const FREQUENCY_CAP_SHAPE = /^(none|\d+_per_[a-z]+)$/;
/** Campaign messages per second when `settings.send_rate` is not set. */
export const DEFAULT_SEND_RATE = 10;
export const MAX_ENROLL_IDS = 10_000;

export const campaignStatusSchema = z.enum(CAMPAIGN_STATUSES);
export const enrollmentStatusSchema = z.enum(ENROLLMENT_STATUSES);

// ---- Target criteria -------------------------------------------------------------------------

const stageList = () => z.array(enumField(LEAD_STAGES, 'sql')).max(LEAD_STAGES.length);
const score = () => z.number().min(0).max(100);
/** Criteria fields as sent; every one optional. On PATCH, null puts a field back to its default. */
const criteriaFields = {
  lifecycle_stages: stageList().openapi({ description: 'Lead stages (the lifecycle of a contact is its lead’s stage): a contact qualifies through an open lead at one of these', example: ['mql', 'sql'] }),
  lead_stages: stageList().openapi({ description: 'Lead stages; with lifecycle_stages too, the lead’s stage must be in both', example: ['sql'] }),
  min_lead_score: score().openapi({ example: 40 }),
  max_lead_score: score().openapi({ example: 100 }),
  lead_sources: z.array(text(100).min(1)).max(50).openapi({ example: ['website', 'feria'] }),
  tags: z.array(z.string().max(64)).max(50).openapi({ description: 'The contact must have ALL of them (normalized like contact tags)', example: ['hogar', 'bogota'] }),
  opt_in_status: z
    .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(enumField(OPT_IN_STATUSES, 'opted_in')).max(OPT_IN_STATUSES.length))
    .openapi({ description: 'One status or a list: the contact’s consent must be one of them', example: ['opted_in'] }),
  exclude_do_not_contact: z.boolean().openapi({ description: 'Default true', example: true }),
  exclude_already_enrolled: z.boolean().openapi({ description: 'Default true: leave out contacts enrolled in this campaign already', example: true }),
  max_contacts: z.number().int().min(1).max(10_000_000).openapi({ description: 'Most contacts the criteria bring into the campaign (null: no cap)', example: 5000 }),
};
type CriteriaFields = typeof criteriaFields;
export const targetCriteriaInputSchema = z.object(Object.fromEntries(Object.entries(criteriaFields).map(([k, s]) => [k, s.optional()])) as { [K in keyof CriteriaFields]: z.ZodOptional<CriteriaFields[K]> }).openapi('CampaignTargetCriteriaInput');
export const targetCriteriaPatchSchema = z
  .object(Object.fromEntries(Object.entries(criteriaFields).map(([k, s]) => [k, s.nullable().optional()])) as { [K in keyof CriteriaFields]: z.ZodOptional<z.ZodNullable<CriteriaFields[K]>> })
  .openapi('CampaignTargetCriteriaPatch');
export type TargetCriteriaInput = z.infer<typeof targetCriteriaPatchSchema>;

const settingsFields = {
  send_time_optimization: z.boolean().openapi({
    description:
      'Send each step that has no send_time at the hour of the day the contact usually reads (their messages and reads of the last 90 days, in their time zone), waiting at most a day; with fewer than 3 such moments the step goes when due. A step’s send_time wins',
    example: false,
  }),
  // The shape (`<n>_per_<unit>`) is a 400 when wrong; a cap of that shape that is not allowed (0, over 99, another unit) is a 422.
  frequency_cap: z
    .string()
    .regex(FREQUENCY_CAP_SHAPE, 'none or <n>_per_day, <n>_per_week, <n>_per_month')
    .superRefine((value, ctx) => {
      if (!FREQUENCY_CAP.test(value)) ctx.addIssue({ code: 'invalid_value', values: ['none', '<1-99>_per_day', '<1-99>_per_week', '<1-99>_per_month'], message: 'frequency_cap must be none or <n>_per_day, <n>_per_week or <n>_per_month with n from 1 to 99', input: value });
    })
    .openapi({ description: 'Most campaign messages a contact gets per period, counted across all the organization’s campaigns (a capped step waits, it is not dropped)', example: '1_per_day' }),
  send_rate: z.number().gt(0).max(1000).openapi({ description: `Campaign messages per second (default ${DEFAULT_SEND_RATE}); the sender never goes above WHATSAPP_MAX_MPS`, example: 20 }),
  phone_number_id: z.string().regex(/^\d{1,32}$/, 'a WhatsApp phone number id (digits)').openapi({ description: 'The organization’s business number that sends (default: its first); must be one of its numbers (422)', example: '118724605391736' }),
  // A number out of range or not whole is a refused value (422); not a number at all, a wrong shape (400).
  conversion_window_days: z
    .number()
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < 1 || value > MAX_CONVERSION_WINDOW_DAYS) ctx.addIssue({ code: 'invalid_value', values: [`1-${MAX_CONVERSION_WINDOW_DAYS}`], message: `conversion_window_days must be a whole number of days from 1 to ${MAX_CONVERSION_WINDOW_DAYS}`, input: value });
    })
    .openapi({ type: 'integer', minimum: 1, maximum: MAX_CONVERSION_WINDOW_DAYS, description: `Days after a contact’s first send in which reaching the goal stage is a conversion (default ${DEFAULT_CONVERSION_WINDOW_DAYS})`, example: 30 }),
};
export const settingsInputSchema = z
  .object({
    send_time_optimization: settingsFields.send_time_optimization.optional(),
    frequency_cap: settingsFields.frequency_cap.nullable().optional(),
    send_rate: settingsFields.send_rate.nullable().optional(),
    phone_number_id: settingsFields.phone_number_id.nullable().optional(),
    conversion_window_days: settingsFields.conversion_window_days.nullable().optional(),
  })
  .openapi('CampaignSettingsInput');
export type SettingsInput = z.infer<typeof settingsInputSchema>;

// ---- Campaigns --------------------------------------------------------------------------------

const campaignFields = {
  name: text(200).min(1).openapi({ example: 'Lanzamiento Hogar 500' }),
  description: text(2000).openapi({ example: 'Clientes de la feria con interés en fibra' }),
  goal_type: enumField(GOAL_TYPES, 'conversion'),
  goal_value: money.openapi({ description: 'How many conversions the campaign aims at', example: 200 }),
  goal_stage: enumField(GOAL_STAGES, 'customer').openapi({ type: 'string', enum: [...GOAL_STAGES], description: 'The lead stage that counts as a conversion (a later stage counts too; customer always does). Default customer', example: 'sql' }),
  budget: money.openapi({ example: 1500000 }),
  start_date: z.iso.datetime({ offset: true }).openapi({ example: '2026-03-01T13:00:00Z' }),
  end_date: z.iso.datetime({ offset: true }).openapi({ example: '2026-03-31T23:00:00Z' }),
};

export const createCampaignSchema = z
  .object({
    name: campaignFields.name,
    description: campaignFields.description.optional(),
    campaign_type: enumField(CAMPAIGN_TYPES, 'whatsapp', WHATSAPP_ONLY).default('whatsapp').openapi({ type: 'string', enum: [...CAMPAIGN_TYPES], description: 'Always whatsapp (the default); anything else is a 422' }),
    target_criteria: targetCriteriaInputSchema.optional(),
    goal_type: campaignFields.goal_type.optional(),
    goal_value: campaignFields.goal_value.optional(),
    goal_stage: campaignFields.goal_stage.optional(),
    budget: campaignFields.budget.optional(),
    start_date: campaignFields.start_date.optional(),
    end_date: campaignFields.end_date.optional(),
    settings: settingsInputSchema.optional(),
    status: noStatus,
  })
  .openapi('CreateCampaign');

export const updateCampaignSchema = z
  .object({
    name: campaignFields.name.optional(),
    description: campaignFields.description.nullable().optional(),
    campaign_type: enumField(CAMPAIGN_TYPES, 'whatsapp', WHATSAPP_ONLY).optional(),
    target_criteria: targetCriteriaPatchSchema.optional().openapi({ description: 'Merged key by key into the stored criteria; null puts a key back to its default' }),
    goal_type: campaignFields.goal_type.nullable().optional(),
    goal_value: campaignFields.goal_value.nullable().optional(),
    goal_stage: campaignFields.goal_stage.nullable().optional(),
    budget: campaignFields.budget.nullable().optional(),
    start_date: campaignFields.start_date.nullable().optional(),
    end_date: campaignFields.end_date.nullable().optional(),
    settings: settingsInputSchema.optional().openapi({ description: 'Merged key by key into the stored settings' }),
    status: noStatus,
  })
  .openapi('UpdateCampaign');
export type UpdateCampaignInput = z.infer<typeof updateCampaignSchema>;

const targetCriteriaSchema = z
  .object({
    lifecycle_stages: z.array(z.string()),
    lead_stages: z.array(z.string()),
    min_lead_score: z.number().nullable(),
    max_lead_score: z.number().nullable(),
    lead_sources: z.array(z.string()),
    tags: z.array(z.string()),
    opt_in_status: z.array(z.string()),
    exclude_do_not_contact: z.boolean(),
    exclude_already_enrolled: z.boolean(),
    max_contacts: z.number().int().nullable(),
  })
  .openapi('CampaignTargetCriteria');

const statusChangeSchema = z.object({ from: campaignStatusSchema.nullable(), to: campaignStatusSchema, reason: z.string().nullable(), by: z.string(), at: iso() }).openapi('CampaignStatusChange');

export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    campaign_type: z.enum(CAMPAIGN_TYPES),
    status: campaignStatusSchema,
    target_criteria: targetCriteriaSchema,
    goal_type: z.enum(GOAL_TYPES).nullable(),
    goal_value: z.number().nullable(),
    goal_stage: z.enum(GOAL_STAGES).openapi({ description: 'The lead stage that counts as a conversion (customer unless set)' }),
    budget: z.number().nullable(),
    start_date: iso().nullable(),
    end_date: iso().nullable(),
    settings: z.object({ send_time_optimization: z.boolean(), frequency_cap: z.string().nullable(), send_rate: z.number().nullable(), phone_number_id: z.string().nullable(), conversion_window_days: z.number().int() }),
    status_history: z.array(statusChangeSchema).openapi({ description: 'Every status change, oldest first' }),
    started_at: iso().nullable(),
    paused_at: iso().nullable(),
    completed_at: iso().nullable(),
    archived_at: iso().nullable(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('Campaign');
export type CampaignJson = z.infer<typeof campaignSchema>;
export const campaignListSchema = listEnvelopeSchema(campaignSchema, 'CampaignList');

export const statusChangeBodySchema = z.object({ reason: text(500).min(1).optional().openapi({ example: 'Ajuste de presupuesto' }) }).openapi('CampaignStatusChangeBody');

// ---- Messages (steps) -------------------------------------------------------------------------

/** A NAMED template's placeholder name, as Meta allows them (`first_name` in `{{first_name}}`). */
export const PARAMETER_NAME = /^[a-z_][a-z0-9_]*$/;
const parameterName = z.string().max(100).regex(PARAMETER_NAME, 'a template placeholder name: lowercase letters, digits and underscores, as in {{first_name}}');

const parameterInputSchema = z
  .union([
    z.string().max(MAX_PARAMETER_LENGTH),
    z.object({
      value: z.string().max(MAX_PARAMETER_LENGTH),
      fallback: z.string().min(1).max(MAX_PARAMETER_LENGTH).nullable().optional(),
      name: parameterName.optional().openapi({ description: 'NAMED templates only: the placeholder this value fills (`first_name` for `{{first_name}}`); sent as `parameter_name`. Leave it out for a positional template ({{1}}, {{2}}…)', example: 'first_name' }),
    }),
  ])
  .openapi('TemplateParameterInput', {
    description:
      'A literal, a personalization token ({{first_name}}, {{name}}, {{email}}, {{company}}, {{deal_value}}, {{score}}, {{custom.<key>}}) or text with tokens; as an object, `fallback` replaces a token that is empty for a contact and `name` (NAMED templates) says which placeholder of the template it fills',
    example: { value: '{{first_name}}', fallback: 'cliente' },
  });

const parameterSchema = z
  .object({ value: z.string(), fallback: z.string().nullable(), name: z.string().nullable().openapi({ description: 'The NAMED template placeholder it fills; null for a positional parameter' }) })
  .openapi('TemplateParameter');
const PARAMETERS_DESCRIPTION =
  'The body’s parameters. A positional template ({{1}}, {{2}}…): exactly its count, in order, without `name`. A NAMED template ({{first_name}}…): one per placeholder, each `{"name": "<placeholder>", "value": …}`, in any order (GET /api/v1/templates lists the names); an unknown or missing name is a 422 naming it';
const HEADER_PARAMETERS_DESCRIPTION = 'The header text’s parameters, when it has some: positional or named like template_parameters';
const languageField = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'a WhatsApp template language code such as es, es_MX or en_US')
  .openapi({ example: 'es' });

export const createMessageSchema = z
  .object({
    step_number: z.number().int().min(1).max(100).optional().openapi({ description: 'Default: after the last step', example: 1 }),
    message_type: enumField(MESSAGE_TYPES, 'whatsapp', WHATSAPP_MESSAGES_ONLY).default('whatsapp'),
    template_name: text(512).min(1).openapi({ example: 'promo_hogar' }),
    template_language: languageField,
    template_parameters: z.array(parameterInputSchema).max(100).default([]).openapi({ description: PARAMETERS_DESCRIPTION }),
    header_parameters: z.array(parameterInputSchema).max(10).default([]).openapi({ description: HEADER_PARAMETERS_DESCRIPTION }),
    header_media_url: z.url({ protocol: /^https$/ }).max(2048).optional().openapi({ description: 'The media of an IMAGE, VIDEO or DOCUMENT header', example: 'https://cdn.example.co/hogar500.jpg' }),
    delay_amount: z.number().int().min(0).max(10_000).default(0).openapi({ description: 'Wait after the previous step (after enrollment for step 1)', example: 2 }),
    delay_unit: enumField(DELAY_UNITS, 'days').default('days'),
    send_time: z.string().regex(SEND_TIME, 'HH:MM or HH:MM:SS (24 h)').optional().openapi({ description: 'Time of day in each recipient’s time zone (the contact’s timezone; America/Bogota when it has none)', example: '10:00' }),
  })
  .openapi('CreateCampaignMessage');
export type CreateMessageInput = z.infer<typeof createMessageSchema>;

export const updateMessageSchema = z
  .object({
    step_number: z.number().int().min(1).max(100).optional(),
    message_type: enumField(MESSAGE_TYPES, 'whatsapp', WHATSAPP_MESSAGES_ONLY).optional(),
    template_name: text(512).min(1).optional(),
    template_language: languageField.optional(),
    template_parameters: z.array(parameterInputSchema).max(100).optional().openapi({ description: PARAMETERS_DESCRIPTION }),
    header_parameters: z.array(parameterInputSchema).max(10).optional().openapi({ description: HEADER_PARAMETERS_DESCRIPTION }),
    header_media_url: z.url({ protocol: /^https$/ }).max(2048).nullable().optional(),
    delay_amount: z.number().int().min(0).max(10_000).optional(),
    delay_unit: enumField(DELAY_UNITS, 'days').optional(),
    send_time: z.string().regex(SEND_TIME, 'HH:MM or HH:MM:SS (24 h)').nullable().optional(),
  })
  .openapi('UpdateCampaignMessage');
export type UpdateMessageInput = z.infer<typeof updateMessageSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    step_number: z.number().int(),
    message_type: z.enum(MESSAGE_TYPES),
    template_name: z.string(),
    template_language: z.string(),
    template_parameters: z.array(parameterSchema).openapi({ description: 'The body’s parameters: in order (positional template) or each with the `name` of its placeholder (NAMED template)' }),
    header_parameters: z.array(parameterSchema),
    header_media_url: z.string().nullable(),
    delay_amount: z.number().int(),
    delay_unit: z.enum(DELAY_UNITS),
    send_time: z.string().nullable(),
    template_verified: z.boolean().openapi({ description: 'false when WHATSAPP_BUSINESS_ACCOUNT_ID is unset and the template could not be checked' }),
    template_verified_at: iso().nullable(),
    template_category: z.string().nullable(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('CampaignMessage');
export const messageListSchema = listEnvelopeSchema(messageSchema, 'CampaignMessageList');

// ---- Enrollments ------------------------------------------------------------------------------

export const enrollBodySchema = z
  .object({
    contact_ids: z.array(z.string().min(1).max(100)).min(1).max(MAX_ENROLL_IDS, `at most ${MAX_ENROLL_IDS} contact ids per request; send the rest in another request`).optional().openapi({ example: ['ct_Qm3x8yZpL0aB1cD2'] }),
    import_id: z.string().min(1).max(100).optional().openapi({ description: 'Enroll the contacts of this import (cohort) instead', example: 'imp_k2Jd9sLq0PzX7vBn' }),
  })
  .refine((b) => (b.contact_ids === undefined) !== (b.import_id === undefined), { message: 'send either contact_ids or import_id' })
  .openapi('CampaignEnroll');

export const enrollmentSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    contact_id: z.string(),
    contact: z.object({ name: z.string().nullable(), phone: z.string() }).nullable().openapi({ description: 'null when the contact is gone' }),
    status: enrollmentStatusSchema,
    source: z.enum(ENROLLMENT_SOURCES),
    import_id: z.string().nullable(),
    current_step: z.number().int().openapi({ description: 'The last step sent (0: none yet)' }),
    next_step_at: iso().nullable(),
    exit_reason: z.enum(EXIT_REASONS).nullable(),
    last_error: z.object({ code: z.string(), title: z.string().nullable(), at: iso() }).nullable().openapi({ description: 'Why the last step was not sent or not delivered (Meta’s code, or the sender’s: not_opted_in, missing_personalization, contact_missing)' }),
    enrolled_at: iso(),
    sent_at: iso().nullable(),
    delivered_at: iso().nullable(),
    read_at: iso().nullable(),
    replied_at: iso().nullable(),
    converted_at: iso().nullable(),
    bounced_at: iso().nullable(),
    unsubscribed_at: iso().nullable(),
    unenrolled_at: iso().nullable(),
    completed_at: iso().nullable(),
    updated_at: iso(),
  })
  .openapi('CampaignEnrollment');
export type EnrollmentJson = z.infer<typeof enrollmentSchema>;
export const enrollmentListSchema = listEnvelopeSchema(enrollmentSchema, 'CampaignEnrollmentList');

export const ENROLL_RESULT_LIST_CAP = 100;
export const enrollResultSchema = z
  .object({
    enrolled_count: z.number().int().openapi({ description: 'Contacts this call enrolled' }),
    already_enrolled_count: z.number().int().openapi({ description: 'Contacts that were enrolled in the campaign already (nothing changed for them)' }),
    skipped_count: z.number().int().openapi({ description: 'Contacts left out: do_not_contact (when the campaign excludes them)' }),
    enrollments: z.array(enrollmentSchema).openapi({ description: `The first ${ENROLL_RESULT_LIST_CAP} enrollments this call made, in order` }),
    already_enrolled: z.array(z.string()).openapi({ description: `The first ${ENROLL_RESULT_LIST_CAP} contact ids already enrolled` }),
    skipped: z.array(z.object({ contact_id: z.string(), reason: z.enum(['do_not_contact']) })).openapi({ description: `The first ${ENROLL_RESULT_LIST_CAP} contacts skipped, with why` }),
  })
  .openapi('CampaignEnrollResult');
export type EnrollResultJson = z.infer<typeof enrollResultSchema>;

// ---- Analytics --------------------------------------------------------------------------------

export const performanceSchema = z
  .object({
    campaign_id: z.string(),
    status: campaignStatusSchema,
    enrolled: z.number().int(),
    by_status: z.object(Object.fromEntries(ENROLLMENT_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof ENROLLMENT_STATUSES)[number], z.ZodNumber>),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    replied: z.number().int(),
    converted: z.number().int(),
    bounced: z.number().int(),
    unsubscribed: z.number().int(),
    unenrolled: z.number().int(),
    delivery_rate: z.number().openapi({ description: '% of sent that were delivered' }),
    read_rate: z.number().openapi({ description: '% of delivered that were read' }),
    reply_rate: z.number().openapi({ description: '% of delivered that got a reply' }),
    conversion_rate: z.number().openapi({ description: '% of enrolled that converted' }),
    unsubscribe_rate: z.number().openapi({ description: '% of sent that opted out' }),
    goal: z.object({ type: z.enum(GOAL_TYPES).nullable(), value: z.number().nullable(), achieved: z.number().int().openapi({ description: 'Conversions so far' }), progress: z.number().nullable().openapi({ description: '% of goal_value' }) }),
    budget: z.number().nullable(),
    cost_per_conversion: z.number().nullable(),
    conversions: z.number().int().openapi({ description: 'Contacts that converted (= converted)' }),
    total_revenue: z.number().openapi({ description: 'Sum of the deal values of the leads that converted' }),
    roi: z.number().nullable().openapi({ description: '(total_revenue − budget) / budget, in %; null without a budget' }),
    avg_response_time_hours: z.number().nullable().openapi({ description: 'Mean of (first reply − first send) over the contacts who replied; null when nobody has' }),
    messages: z
      .object({ sent: z.number().int(), delivered: z.number().int(), read: z.number().int(), replied: z.number().int(), failed: z.number().int() })
      .openapi({ description: 'Per step (a contact sent three steps counts three): as WhatsApp reported them' }),
  })
  .openapi('CampaignPerformance');
export type PerformanceJson = z.infer<typeof performanceSchema>;

export const FUNNEL_STAGES = ['enrolled', 'sent', 'delivered', 'read', 'replied', 'converted'] as const;
export const funnelSchema = z
  .object({
    campaign_id: z.string(),
    stages: z.array(
      z.object({
        stage: z.enum(FUNNEL_STAGES),
        count: z.number().int(),
        rate_from_previous: z.number().openapi({ description: '% of the previous stage' }),
        rate_from_enrolled: z.number().openapi({ description: '% of enrolled' }),
        percentage: z.number().openapi({ description: '% of enrolled (seed 003’s name for rate_from_enrolled)' }),
      }),
    ),
    exits: z.object({ bounced: z.number().int(), unsubscribed: z.number().int(), unenrolled: z.number().int() }),
  })
  .openapi('CampaignFunnel');
export type FunnelJson = z.infer<typeof funnelSchema>;

export const ACTIVITY_TYPES = [
  'created',
  'started',
  'paused',
  'resumed',
  'completed',
  'archived',
  'contact_enrolled',
  'message_sent',
  'message_delivered',
  'message_read',
  'message_replied',
  'message_failed',
  'contact_converted',
  'contact_unsubscribed',
  'contact_unenrolled',
  'contact_bounced',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const activitySchema = z
  .object({
    type: z.enum(ACTIVITY_TYPES),
    scope: z.enum(['campaign', 'contact']),
    contact_id: z.string().nullable(),
    enrollment_id: z.string().nullable(),
    step: z.number().int().nullable().openapi({ description: 'The step a message_* activity is about' }),
    at: iso(),
    detail: z.string().nullable().openapi({ description: 'A status change’s reason and who made it; a failure’s Meta code and title; why a contact left' }),
  })
  .openapi('CampaignActivity');
export const activityListSchema = listEnvelopeSchema(activitySchema, 'CampaignActivityList');

// ---- Templates --------------------------------------------------------------------------------

export const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    category: z.string(),
    status: z.string(),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).openapi({ description: 'NAMED: the placeholders are names ({{first_name}}) and a step gives each parameter its `name`; POSITIONAL: {{1}}, {{2}}…, given in order' }),
    components: z.array(
      z.object({
        type: z.string(),
        format: z.string().nullable(),
        text: z.string().nullable(),
        parameter_count: z.number().int(),
        parameter_names: z.array(z.string()).openapi({ description: 'A NAMED template’s placeholder names in this component, in order of first appearance (the `name`s a step gives); empty for positional ones' }),
      }),
    ),
    body_parameter_count: z.number().int(),
    header_parameter_count: z.number().int(),
    header_media_format: z.string().nullable(),
    button_parameter_count: z.number().int(),
  })
  .openapi('WhatsAppTemplate');
export const templateListSchema = listEnvelopeSchema(templateSchema, 'WhatsAppTemplateList');

// ---- Params and mapping -----------------------------------------------------------------------

export const campaignIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'cmp_Xk2m9QpL0aB1cD2e' }) });
export const messageParams = campaignIdParam.extend({ message_id: z.string().min(1).max(100).openapi({ param: { name: 'message_id', in: 'path' }, example: 'cmsg_Rt5v8wXyZ0aB1cD2' }) });
export const contactParams = campaignIdParam.extend({ contact_id: z.string().min(1).max(100).openapi({ param: { name: 'contact_id', in: 'path' }, example: 'ct_Qm3x8yZpL0aB1cD2' }) });

const isoOrNull = (d: Date | undefined | null) => (d ? d.toISOString() : null);

export const toCampaign = (doc: CampaignDoc): CampaignJson => ({
  id: doc._id,
  name: doc.name,
  description: doc.description ?? null,
  campaign_type: doc.campaign_type,
  status: doc.status,
  target_criteria: doc.target_criteria,
  goal_type: doc.goal_type ?? null,
  goal_value: doc.goal_value ?? null,
  goal_stage: (doc.goal_stage ?? 'customer') as (typeof GOAL_STAGES)[number],
  budget: doc.budget ?? null,
  start_date: isoOrNull(doc.start_date),
  end_date: isoOrNull(doc.end_date),
  settings: { send_time_optimization: doc.settings?.send_time_optimization ?? false, frequency_cap: doc.settings?.frequency_cap ?? null, send_rate: doc.settings?.send_rate ?? null, phone_number_id: doc.settings?.phone_number_id ?? null, conversion_window_days: doc.settings?.conversion_window_days ?? DEFAULT_CONVERSION_WINDOW_DAYS },
  status_history: (doc.status_history ?? []).map((c) => ({ from: c.from ?? null, to: c.to, reason: c.reason ?? null, by: c.by, at: c.at.toISOString() })),
  started_at: isoOrNull(doc.started_at),
  paused_at: isoOrNull(doc.paused_at),
  completed_at: isoOrNull(doc.completed_at),
  archived_at: isoOrNull(doc.archived_at),
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

const toParameterJson = (p: TemplateParameter) => ({ value: p.value, fallback: p.fallback ?? null, name: p.name ?? null });

export const toMessage = (doc: CampaignMessageDoc): z.infer<typeof messageSchema> => ({
  id: doc._id,
  campaign_id: doc.campaign_id,
  step_number: doc.step_number,
  message_type: doc.message_type,
  template_name: doc.template_name,
  template_language: doc.template_language,
  template_parameters: (doc.template_parameters ?? []).map(toParameterJson),
  header_parameters: (doc.header_parameters ?? []).map(toParameterJson),
  header_media_url: doc.header_media_url ?? null,
  delay_amount: doc.delay_amount,
  delay_unit: doc.delay_unit,
  send_time: doc.send_time ?? null,
  template_verified: doc.template_verified_at !== undefined && doc.template_verified_at !== null,
  template_verified_at: isoOrNull(doc.template_verified_at),
  template_category: doc.template_category ?? null,
  created_at: doc.created_at.toISOString(),
  updated_at: doc.updated_at.toISOString(),
});

export const toEnrollment = (doc: EnrollmentDoc, contact?: { name?: string | null; phone: string } | null): EnrollmentJson => ({
  id: doc._id,
  campaign_id: doc.campaign_id,
  contact_id: doc.contact_id,
  contact: contact ? { name: contact.name ?? null, phone: contact.phone } : null,
  status: doc.status,
  source: doc.source,
  import_id: doc.import_id ?? null,
  current_step: doc.current_step ?? 0,
  next_step_at: isoOrNull(doc.next_step_at),
  exit_reason: doc.exit_reason ?? null,
  last_error: doc.last_error ? { code: String(doc.last_error.code), title: doc.last_error.title ?? null, at: doc.last_error.at.toISOString() } : null,
  enrolled_at: doc.enrolled_at.toISOString(),
  sent_at: isoOrNull(doc.sent_at),
  delivered_at: isoOrNull(doc.delivered_at),
  read_at: isoOrNull(doc.read_at),
  replied_at: isoOrNull(doc.replied_at),
  converted_at: isoOrNull(doc.converted_at),
  bounced_at: isoOrNull(doc.bounced_at),
  unsubscribed_at: isoOrNull(doc.unsubscribed_at),
  unenrolled_at: isoOrNull(doc.unenrolled_at),
  completed_at: isoOrNull(doc.completed_at),
  updated_at: doc.updated_at.toISOString(),
});

// ---- Examples ---------------------------------------------------------------------------------

export const campaignExample: CampaignJson = {
  id: 'cmp_Xk2m9QpL0aB1cD2e',
  name: 'Lanzamiento Hogar 500',
  description: 'Clientes de la feria con interés en fibra',
  campaign_type: 'whatsapp',
  status: 'draft',
  target_criteria: {
    lifecycle_stages: [],
    lead_stages: ['mql', 'sql'],
    min_lead_score: 40,
    max_lead_score: null,
    lead_sources: [],
    tags: ['feria'],
    opt_in_status: ['opted_in'],
    exclude_do_not_contact: true,
    exclude_already_enrolled: true,
    max_contacts: 5000,
  },
  goal_type: 'conversion',
  goal_value: 200,
  goal_stage: 'customer',
  budget: 1500000,
  start_date: '2026-03-01T13:00:00.000Z',
  end_date: '2026-03-31T23:00:00.000Z',
  settings: { send_time_optimization: false, frequency_cap: '1_per_day', send_rate: 20, phone_number_id: null, conversion_window_days: 30 },
  status_history: [{ from: null, to: 'draft', reason: null, by: 'api:key_Ab12Cd34', at: '2026-02-20T15:00:00.000Z' }],
  started_at: null,
  paused_at: null,
  completed_at: null,
  archived_at: null,
  created_at: '2026-02-20T15:00:00.000Z',
  updated_at: '2026-02-20T15:00:00.000Z',
};

export const messageExample: z.infer<typeof messageSchema> = {
  id: 'cmsg_Rt5v8wXyZ0aB1cD2',
  campaign_id: 'cmp_Xk2m9QpL0aB1cD2e',
  step_number: 1,
  message_type: 'whatsapp',
  template_name: 'promo_hogar',
  template_language: 'es',
  template_parameters: [
    { value: '{{first_name}}', fallback: 'cliente', name: null },
    { value: 'Hogar 500 Mbps', fallback: null, name: null },
  ],
  header_parameters: [],
  header_media_url: null,
  delay_amount: 0,
  delay_unit: 'days',
  send_time: '10:00',
  template_verified: true,
  template_verified_at: '2026-02-20T15:05:00.000Z',
  template_category: 'MARKETING',
  created_at: '2026-02-20T15:05:00.000Z',
  updated_at: '2026-02-20T15:05:00.000Z',
};

export const enrollmentExample: EnrollmentJson = {
  id: 'enr_Lm3n4Op5Qr6St7Uv',
  campaign_id: 'cmp_Xk2m9QpL0aB1cD2e',
  contact_id: 'ct_Qm3x8yZpL0aB1cD2',
  contact: { name: 'María Pérez', phone: '573001234567' },
  status: 'pending',
  source: 'api',
  import_id: null,
  current_step: 0,
  next_step_at: null,
  exit_reason: null,
  last_error: null,
  enrolled_at: '2026-02-20T15:10:00.000Z',
  sent_at: null,
  delivered_at: null,
  read_at: null,
  replied_at: null,
  converted_at: null,
  bounced_at: null,
  unsubscribed_at: null,
  unenrolled_at: null,
  completed_at: null,
  updated_at: '2026-02-20T15:10:00.000Z',
};
