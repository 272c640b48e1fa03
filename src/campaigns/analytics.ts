/**
 * Performance, funnel and activities of a campaign, computed from its enrollments' timestamps
 * (each set the first time the contact reached that point; part B's sender and status webhooks
 * set them) and its status history. Counts are index-backed `countDocuments`, one per field.
 */
import type { EnrollmentStore, FunnelField } from './enrollments.js';
import { ENROLLMENT_STATUSES, type CampaignDoc } from './models.js';
import { ACTIVITY_TYPES, FUNNEL_STAGES, type ActivityType, type FunnelJson, type PerformanceJson } from './schemas.js';

const round2 = (n: number) => Math.round(n * 100) / 100;
/** `part` as a % of `whole`, 0 when there is no whole. */
const pct = (part: number, whole: number) => (whole > 0 ? round2((part / whole) * 100) : 0);

const COUNTED: FunnelField[] = ['enrolled_at', 'sent_at', 'delivered_at', 'read_at', 'replied_at', 'converted_at', 'bounced_at', 'unsubscribed_at', 'unenrolled_at'];

async function counts(enrollments: EnrollmentStore, orgId: string, campaignId: string): Promise<Record<FunnelField, number>> {
  const values = await Promise.all(COUNTED.map((f) => enrollments.countWith(orgId, campaignId, f)));
  return Object.fromEntries(COUNTED.map((f, i) => [f, values[i] ?? 0])) as Record<FunnelField, number>;
}

export async function performance(enrollments: EnrollmentStore, orgId: string, campaign: CampaignDoc): Promise<PerformanceJson> {
  const [c, byStatus] = await Promise.all([counts(enrollments, orgId, campaign._id), enrollments.countByStatus(orgId, campaign._id)]);
  const converted = c.converted_at;
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
    budget: campaign.budget ?? null,
    cost_per_conversion: campaign.budget !== undefined && converted > 0 ? round2(campaign.budget / converted) : null,
  };
}

export async function funnel(enrollments: EnrollmentStore, orgId: string, campaign: CampaignDoc): Promise<FunnelJson> {
  const c = await counts(enrollments, orgId, campaign._id);
  const values = FUNNEL_STAGES.map((stage) => c[`${stage}_at` as FunnelField]);
  const enrolled = values[0] ?? 0;
  return {
    campaign_id: campaign._id,
    stages: FUNNEL_STAGES.map((stage, i) => {
      const count = values[i] ?? 0;
      return { stage, count, rate_from_previous: i === 0 ? (count > 0 ? 100 : 0) : pct(count, values[i - 1] ?? 0), rate_from_enrolled: pct(count, enrolled) };
    }),
    exits: { bounced: c.bounced_at, unsubscribed: c.unsubscribed_at, unenrolled: c.unenrolled_at },
  };
}

export interface Activity {
  type: ActivityType;
  scope: 'campaign' | 'contact';
  contact_id: string | null;
  at: Date;
  detail: string | null;
}

/** The contact activity each enrollment field records. */
const CONTACT_ACTIVITIES: [ActivityType, FunnelField][] = [
  ['enrolled', 'enrolled_at'],
  ['sent', 'sent_at'],
  ['delivered', 'delivered_at'],
  ['read', 'read_at'],
  ['replied', 'replied_at'],
  ['converted', 'converted_at'],
  ['bounced', 'bounced_at'],
  ['unsubscribed', 'unsubscribed_at'],
  ['unenrolled', 'unenrolled_at'],
];

/** The campaign activity a status change is. */
function statusActivity(to: string, from: string | null): ActivityType {
  if (from === null) return 'created';
  if (to === 'active') return from === 'paused' ? 'resumed' : 'started';
  return (ACTIVITY_TYPES as readonly string[]).includes(to) ? (to as ActivityType) : 'created';
}

/**
 * The campaign's activities, newest first: its status changes and every contact's funnel
 * timestamps. Each kind is read sorted and cut at skip + limit, then merged, so a page costs at
 * most one bounded read per kind whatever the campaign's size.
 */
export async function activities(enrollments: EnrollmentStore, orgId: string, campaign: CampaignDoc, filters: { type?: ActivityType }, page: { skip: number; limit: number }): Promise<{ data: Activity[]; total: number }> {
  const want = (t: ActivityType) => !filters.type || filters.type === t;
  const campaignItems: Activity[] = (campaign.status_history ?? [])
    .map((c) => ({ type: statusActivity(c.to, c.from), scope: 'campaign' as const, contact_id: null, at: c.at, detail: [c.reason, `by ${c.by}`].filter(Boolean).join(', ') || null }))
    .filter((a) => want(a.type));
  const kinds = CONTACT_ACTIVITIES.filter(([t]) => want(t));
  const window = page.skip + page.limit;
  const [lists, totals] = await Promise.all([
    Promise.all(kinds.map(([, field]) => enrollments.latestWith(orgId, campaign._id, field, window))),
    Promise.all(kinds.map(([, field]) => enrollments.countWith(orgId, campaign._id, field))),
  ]);
  const contactItems: Activity[] = kinds.flatMap(([type, field], i) => (lists[i] ?? []).map((e) => ({ type, scope: 'contact' as const, contact_id: e.contact_id, at: e[field] as Date, detail: null })));
  const merged = [...campaignItems, ...contactItems].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.scope === b.scope ? 0 : a.scope === 'campaign' ? -1 : 1));
  return { data: merged.slice(page.skip, window), total: campaignItems.length + totals.reduce((n, t) => n + t, 0) };
}
