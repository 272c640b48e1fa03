/**
 * The per-step log of a campaign's messages (collection `campaign_activities`): one document per
 * (enrollment, step, kind) — `message_sent`, `message_delivered`, `message_read`,
 * `message_replied`, `message_failed` — holding the first time WhatsApp reported it. The
 * enrollment keeps the contact's first time over all steps (the funnel); this log says which step
 * each time belongs to, for the activities.
 *
 * Every write is an upsert keyed by `<enrollment>.<step>.<kind>` with `$min` on the time, so a
 * status delivered twice (Meta delivers at least once) or out of order records one activity at
 * its earliest time.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '../platform/mongo/model.js';

export const STEP_ACTIVITY_TYPES = ['message_sent', 'message_delivered', 'message_read', 'message_replied', 'message_failed'] as const;
export type StepActivityType = (typeof STEP_ACTIVITY_TYPES)[number];

export interface StepActivityDoc {
  /** `<enrollment id>.<step>.<type>`. */
  _id: string;
  org_id: string;
  campaign_id: string;
  enrollment_id: string;
  contact_id: string;
  step: number;
  type: StepActivityType;
  at: Date;
  /** The message's wamid. */
  wamid?: string;
  /** A failure's Meta code and title. */
  detail?: string;
}

const schema = new Schema<StepActivityDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    campaign_id: { type: String, required: true },
    enrollment_id: { type: String, required: true },
    contact_id: { type: String, required: true },
    step: { type: Number, required: true },
    type: { type: String, enum: STEP_ACTIVITY_TYPES, required: true },
    at: { type: Date, required: true },
    wamid: String,
    detail: String,
  },
  { collection: 'campaign_activities', versionKey: false, autoIndex: true },
);
// A campaign's activities newest first, all kinds or one.
schema.index({ org_id: 1, campaign_id: 1, at: -1, _id: -1 });
schema.index({ org_id: 1, campaign_id: 1, type: 1, at: -1, _id: -1 });
// A contact's (deletion takes them along).
schema.index({ org_id: 1, contact_id: 1 });

/** One step activity to record. */
export type StepActivity = Omit<StepActivityDoc, '_id'>;

export interface ActivityLog {
  ready(): Promise<void>;
  /** Records activities (idempotent; the earliest time wins). */
  record(activities: readonly StepActivity[]): Promise<void>;
  /** The campaign's activities of `types`, newest first, at most `limit`. */
  latest(orgId: string, campaignId: string, types: readonly StepActivityType[], limit: number): Promise<StepActivityDoc[]>;
  count(orgId: string, campaignId: string, types: readonly StepActivityType[]): Promise<number>;
  /** How many of each type the campaign has (per step: a contact sent 3 steps counts 3). */
  countByType(orgId: string, campaignId: string): Promise<Partial<Record<StepActivityType, number>>>;
  deleteForContact(orgId: string, contactId: string): Promise<number>;
}

export function activityModel(connection: Connection): Model<StepActivityDoc> {
  return modelOn(connection, 'CampaignActivity', schema);
}

export function createActivityLog(connection: Connection): ActivityLog {
  const Activity = activityModel(connection);
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Activity.init().then(() => undefined));
  const typeFilter = (types: readonly StepActivityType[]) => (types.length === STEP_ACTIVITY_TYPES.length ? {} : { type: { $in: [...types] } });
  return {
    ready,
    async record(activities) {
      if (activities.length === 0) return;
      await Activity.collection.bulkWrite(
        activities.map((a) => {
          const { at, detail, wamid, ...fixed } = a;
          return {
            updateOne: {
              filter: { _id: `${a.enrollment_id}.${a.step}.${a.type}` },
              update: { $setOnInsert: { ...fixed, ...(detail ? { detail } : {}), ...(wamid ? { wamid } : {}) }, $min: { at } },
              upsert: true,
            },
          };
        }) as never,
        { ordered: false },
      );
    },
    async latest(orgId, campaignId, types, limit) {
      if (limit <= 0 || types.length === 0) return [];
      return Activity.find({ org_id: orgId, campaign_id: campaignId, ...typeFilter(types) }).sort({ at: -1, _id: -1 }).limit(limit).lean<StepActivityDoc[]>();
    },
    async count(orgId, campaignId, types) {
      if (types.length === 0) return 0;
      return Activity.countDocuments({ org_id: orgId, campaign_id: campaignId, ...typeFilter(types) });
    },
    async countByType(orgId, campaignId) {
      const counts = await Promise.all(STEP_ACTIVITY_TYPES.map((type) => Activity.countDocuments({ org_id: orgId, campaign_id: campaignId, type })));
      return Object.fromEntries(STEP_ACTIVITY_TYPES.map((t, i) => [t, counts[i] ?? 0]));
    },
    async deleteForContact(orgId, contactId) {
      return (await Activity.deleteMany({ org_id: orgId, contact_id: contactId })).deletedCount;
    },
  };
}
