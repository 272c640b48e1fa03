/**
 * Performance, funnel and activities of a campaign, computed on every call from the real funnel:
 * the enrollments' timestamps (each the first time the contact reached that point: the sender,
 * status webhooks, replies, opt-outs and conversions set them), the per-step activity log
 * (`campaign_activities`, from status webhooks and replies) and the campaign's status history.
 * Counts are index-backed `countDocuments`, one per field.
 */
import type { Connection } from 'mongoose';
import { leadModels } from '../leads/models.js';
import type { ActivityLog, StepActivityDoc, StepActivityType } from './activity-log.js';
import { activityModel, STEP_ACTIVITY_TYPES } from './activity-log.js';
import type { EnrollmentStore, FunnelField } from './enrollments.js';
import { campaignModels, ENROLLMENT_STATUSES, type CampaignDoc, type EnrollmentDoc } from './models.js';
import { ACTIVITY_TYPES, FUNNEL_STAGES, type ActivityType, type FunnelJson, type PerformanceJson } from './schemas.js';

const round2 = (n: number) => Math.round(n * 100) / 100;
/** `part` as a % of `whole`, 0 when there is no whole. */
const pct = (part: number, whole: number) => (whole > 0 ? round2((part / whole) * 100) : 0);
const HOUR_MS = 3_600_000;
const LEAD_BATCH = 1_000;

const COUNTED: FunnelField[] = ['enrolled_at', 'sent_at', 'delivered_at', 'read_at', 'replied_at', 'converted_at', 'bounced_at', 'unsubscribed_at', 'unenrolled_at'];

export interface Activity {
  type: ActivityType;
  scope: 'campaign' | 'contact';
  contact_id: string | null;
  enrollment_id: string | null;
  step: number | null;
  at: Date;
  detail: string | null;
}

/** The contact activities read from an enrollment field (the contact's first time). */
const ENROLLMENT_ACTIVITIES: [ActivityType, FunnelField][] = [
  ['contact_enrolled', 'enrolled_at'],
  ['contact_converted', 'converted_at'],
  ['contact_unsubscribed', 'unsubscribed_at'],
  ['contact_unenrolled', 'unenrolled_at'],
  ['contact_bounced', 'bounced_at'],
];

/** The campaign activity a status change is. */
function statusActivity(to: string, from: string | null): ActivityType {
  if (from === null) return 'created';
  if (to === 'active') return from === 'paused' ? 'resumed' : 'started';
  return (ACTIVITY_TYPES as readonly string[]).includes(to) ? (to as ActivityType) : 'created';
}

function enrollmentDetail(type: ActivityType, e: EnrollmentDoc): string | null {
  if (type === 'contact_unsubscribed') return e.exit_reason ?? null;
  if (type === 'contact_bounced') return e.last_error ? [e.last_error.code, e.last_error.title].filter(Boolean).join(' ') : null;
  if (type === 'contact_converted') return e.converted_stage ?? null;
  return null;
}

export interface ActivityFilters {
  type?: ActivityType;
  contact_id?: string;
  step?: number;
}

export interface CampaignFigures {
  performance(orgId: string, campaign: CampaignDoc): Promise<PerformanceJson>;
  funnel(orgId: string, campaign: CampaignDoc): Promise<FunnelJson>;
  /**
   * The campaign's activities, newest first: its status changes, every contact's enrollment,
   * conversion and exit, and every step's sent, delivered, read, replied and failed. Each source is
   * read sorted and cut at skip + limit, then merged, so a page costs a few bounded reads whatever
   * the campaign's size.
   */
  activities(orgId: string, campaign: CampaignDoc, filters: ActivityFilters, page: { skip: number; limit: number }): Promise<{ data: Activity[]; total: number }>;
}

export function createCampaignFigures(deps: { connection: Connection; enrollments: EnrollmentStore; activities: ActivityLog }): CampaignFigures {
  const { Enrollment } = campaignModels(deps.connection);
  const { Lead } = leadModels(deps.connection);

  async function counts(orgId: string, campaignId: string): Promise<Record<FunnelField, number>> {
    const values = await Promise.all(COUNTED.map((f) => deps.enrollments.countWith(orgId, campaignId, f)));
    return Object.fromEntries(COUNTED.map((f, i) => [f, values[i] ?? 0])) as Record<FunnelField, number>;
  }

  /** The deal values of the leads that converted the campaign's contacts. */
  async function revenue(orgId: string, campaignId: string): Promise<number> {
    let total = 0;
    let batch: string[] = [];
    const add = async () => {
      if (batch.length === 0) return;
      const [sum] = await Lead.aggregate<{ value: number }>([{ $match: { org_id: orgId, _id: { $in: batch } } }, { $group: { _id: null, value: { $sum: '$deal_value' } } }]);
      total += sum?.value ?? 0;
      batch = [];
    };
    const cursor = Enrollment.collection.find({ org_id: orgId, campaign_id: campaignId, converted_at: { $exists: true }, converted_lead_id: { $type: 'string' } }, { projection: { converted_lead_id: 1 } });
    for await (const e of cursor) {
      batch.push(String(e.converted_lead_id));
      if (batch.length >= LEAD_BATCH) await add();
    }
    await add();
    return round2(total);
  }

  /** Mean hours from a contact's first send to their first reply, over those who replied. */
  async function responseHours(orgId: string, campaignId: string): Promise<number | null> {
    let sum = 0;
    let n = 0;
    const cursor = Enrollment.collection.find({ org_id: orgId, campaign_id: campaignId, replied_at: { $exists: true }, sent_at: { $exists: true } }, { projection: { replied_at: 1, sent_at: 1 } });
    for await (const e of cursor) {
      sum += Math.max(0, (e.replied_at as Date).getTime() - (e.sent_at as Date).getTime());
      n++;
    }
    return n > 0 ? round2(sum / n / HOUR_MS) : null;
  }

  return {
    async performance(orgId, campaign) {
      const [c, byStatus, perStep, total_revenue, avg_response_time_hours] = await Promise.all([
        counts(orgId, campaign._id),
        deps.enrollments.countByStatus(orgId, campaign._id),
        deps.activities.countByType(orgId, campaign._id),
        revenue(orgId, campaign._id),
        responseHours(orgId, campaign._id),
      ]);
      const converted = c.converted_at;
      const budget = campaign.budget ?? null;
      return {
        campaign_id: campaign._id,
        status: campaign.status,
        enrolled: c.enrolled_at,
        by_status: Object.fromEntries(ENROLLMENT_STATUSES.map((s) => [s, byStatus[s] ?? 0])) as PerformanceJson['by_status'],
        sent: c.sent_at,
        delivered: c.delivered_at,
        read: c.read_at,
        replied: c.replied_at,
        converted,
        bounced: c.bounced_at,
        unsubscribed: c.unsubscribed_at,
        unenrolled: c.unenrolled_at,
        delivery_rate: pct(c.delivered_at, c.sent_at),
        read_rate: pct(c.read_at, c.delivered_at),
        reply_rate: pct(c.replied_at, c.delivered_at),
        conversion_rate: pct(converted, c.enrolled_at),
        unsubscribe_rate: pct(c.unsubscribed_at, c.sent_at),
        goal: { type: campaign.goal_type ?? null, value: campaign.goal_value ?? null, achieved: converted, progress: campaign.goal_value ? pct(converted, campaign.goal_value) : null },
        budget,
        cost_per_conversion: budget !== null && converted > 0 ? round2(budget / converted) : null,
        conversions: converted,
        total_revenue,
        roi: budget ? round2(((total_revenue - budget) / budget) * 100) : null,
        avg_response_time_hours,
        messages: {
          sent: perStep.message_sent ?? 0,
          delivered: perStep.message_delivered ?? 0,
          read: perStep.message_read ?? 0,
          replied: perStep.message_replied ?? 0,
          failed: perStep.message_failed ?? 0,
        },
      };
    },

    async funnel(orgId, campaign) {
      const c = await counts(orgId, campaign._id);
      const values = FUNNEL_STAGES.map((stage) => c[`${stage}_at` as FunnelField]);
      const enrolled = values[0] ?? 0;
      return {
        campaign_id: campaign._id,
        stages: FUNNEL_STAGES.map((stage, i) => {
          const count = values[i] ?? 0;
          return { stage, count, rate_from_previous: i === 0 ? (count > 0 ? 100 : 0) : pct(count, values[i - 1] ?? 0), rate_from_enrolled: pct(count, enrolled), percentage: pct(count, enrolled) };
        }),
        exits: { bounced: c.bounced_at, unsubscribed: c.unsubscribed_at, unenrolled: c.unenrolled_at },
      };
    },

    async activities(orgId, campaign, filters, page) {
      const want = (t: ActivityType) => !filters.type || filters.type === t;
      const perContact = filters.contact_id !== undefined || filters.step !== undefined;
      const campaignItems: Activity[] = perContact
        ? []
        : (campaign.status_history ?? [])
            .map((c) => ({ type: statusActivity(c.to, c.from), scope: 'campaign' as const, contact_id: null, enrollment_id: null, step: null, at: c.at, detail: [c.reason, `by ${c.by}`].filter(Boolean).join(', ') || null }))
            .filter((a) => want(a.type));
      const window = page.skip + page.limit;
      // Enrollment fields have no step: a step filter leaves them out.
      const kinds = filters.step === undefined ? ENROLLMENT_ACTIVITIES.filter(([t]) => want(t)) : [];
      const stepTypes = STEP_ACTIVITY_TYPES.filter((t) => want(t));
      const base = { org_id: orgId, campaign_id: campaign._id, ...(filters.contact_id ? { contact_id: filters.contact_id } : {}) };
      const stepQuery = { ...base, ...(stepTypes.length < STEP_ACTIVITY_TYPES.length ? { type: { $in: stepTypes } } : {}), ...(filters.step !== undefined ? { step: filters.step } : {}) };
      const Activity = activityModel(deps.connection).collection;
      const [lists, totals, steps, stepTotal] = await Promise.all([
        Promise.all(kinds.map(([, field]) => (window > 0 ? Enrollment.find({ ...base, [field]: { $exists: true } }, { _outbox: 0 }).sort({ [field]: -1, _id: -1 }).limit(window).lean<EnrollmentDoc[]>() : []))),
        Promise.all(kinds.map(([, field]) => Enrollment.countDocuments({ ...base, [field]: { $exists: true } }))),
        stepTypes.length && window > 0 ? (Activity.find(stepQuery).sort({ at: -1, _id: -1 }).limit(window).toArray() as unknown as Promise<StepActivityDoc[]>) : Promise.resolve([] as StepActivityDoc[]),
        stepTypes.length ? Activity.countDocuments(stepQuery) : Promise.resolve(0),
      ]);
      const enrollmentItems: Activity[] = kinds.flatMap(([type, field], i) =>
        (lists[i] ?? []).map((e) => ({ type, scope: 'contact' as const, contact_id: e.contact_id, enrollment_id: e._id, step: null, at: e[field] as Date, detail: enrollmentDetail(type, e) })),
      );
      const stepItems: Activity[] = steps.map((a) => ({ type: a.type as StepActivityType, scope: 'contact' as const, contact_id: a.contact_id, enrollment_id: a.enrollment_id, step: a.step, at: a.at, detail: a.detail ?? null }));
      // Newest first; at the same instant (a read implies delivered and sent at its time) the later
      // point of the funnel first, as if a hair later.
      const order = (a: Activity) => (a.scope === 'campaign' ? -1 : ACTIVITY_TYPES.indexOf(a.type));
      const merged = [...campaignItems, ...enrollmentItems, ...stepItems].sort((a, b) => b.at.getTime() - a.at.getTime() || order(b) - order(a));
      return { data: merged.slice(page.skip, window), total: campaignItems.length + totals.reduce((n, t) => n + t, 0) + stepTotal };
    },
  };
}
