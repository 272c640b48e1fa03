/**
 * Enrollments: one per (organization, campaign, contact), kept unique by an index, so concurrent
 * enrollments of the same contact meet there — the first insert wins, every other one is a
 * duplicate-key error that is reported as "already enrolled", never a second row. Batches are
 * unordered `insertMany`s: a duplicate fails only its own row.
 */
import { mongo, type Connection } from 'mongoose';
import { newEvent, noEvents, outboxFields, type EventRecorder } from '../platform/events/outbox.js';
import type { Pagination } from '../platform/http/pagination.js';
import { newId } from './ids.js';
import { campaignModels, ENDED_ENROLLMENT_STATUSES, type EnrollmentDoc, type EnrollmentSource, type EnrollmentStatus, type EXIT_FIELDS, type FUNNEL_FIELDS } from './models.js';

/** Inserted documents of a batch at most this many ask for their events to be handed over at once; larger batches leave them to the outbox sweep. */
const FLUSH_EACH_UP_TO = 50;

export interface EnrollmentOrigin {
  source: EnrollmentSource;
  import_id?: string;
}

export type FunnelField = (typeof FUNNEL_FIELDS)[number] | (typeof EXIT_FIELDS)[number];

export interface EnrollmentStore {
  ready(): Promise<void>;
  /** Enrolls `contactIds` (in order; distinct); those enrolled already come back in `duplicates`. */
  insertBatch(orgId: string, campaignId: string, contactIds: readonly string[], origin: EnrollmentOrigin, now?: Date): Promise<{ inserted: EnrollmentDoc[]; duplicates: string[] }>;
  get(orgId: string, campaignId: string, contactId: string): Promise<EnrollmentDoc | null>;
  /** Oldest enrollment first. */
  list(orgId: string, campaignId: string, filters: { status?: EnrollmentStatus }, page: Pagination): Promise<{ data: EnrollmentDoc[]; total: number }>;
  count(orgId: string, campaignId: string): Promise<number>;
  countByStatus(orgId: string, campaignId: string): Promise<Partial<Record<EnrollmentStatus, number>>>;
  /** How many enrollments of the campaign have `field` set. */
  countWith(orgId: string, campaignId: string, field: FunnelField): Promise<number>;
  /** The enrollments with `field` set, latest first (activities). */
  latestWith(orgId: string, campaignId: string, field: FunnelField, limit: number): Promise<EnrollmentDoc[]>;
  /**
   * Ends the contact's enrollment (status unsubscribed, exit_reason unenrolled, unenrolled_at): the
   * sender sends it nothing more. `'ended'` when it had ended already, null when there is none.
   */
  unenroll(orgId: string, campaignId: string, contactId: string, now?: Date): Promise<EnrollmentDoc | 'ended' | null>;
  /** Deletes a contact's enrollments (the contact is being deleted). */
  deleteForContact(orgId: string, contactId: string): Promise<number>;
}

const OUTBOX_PROJECTION = { _outbox: 0, _outbox_at: 0 } as const;

/** `contact.enrolled`'s data (catalog.ts). */
const enrolledData = (doc: EnrollmentDoc) => ({ enrollment: { campaign_id: doc.campaign_id, contact_id: doc.contact_id, at: doc.enrolled_at.toISOString() } });

export function createEnrollmentStore(connection: Connection, events: EventRecorder = noEvents): EnrollmentStore {
  const { Enrollment } = campaignModels(connection);
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Enrollment.init().then(() => undefined));

  return {
    ready,
    async insertBatch(orgId, campaignId, contactIds, origin, now = new Date()) {
      if (contactIds.length === 0) return { inserted: [], duplicates: [] };
      await ready();
      const docs: EnrollmentDoc[] = contactIds.map((contactId) => ({
        _id: newId('enr'),
        org_id: orgId,
        campaign_id: campaignId,
        contact_id: contactId,
        status: 'pending',
        source: origin.source,
        ...(origin.import_id ? { import_id: origin.import_id } : {}),
        current_step: 0,
        enrolled_at: now,
        updated_at: now,
      }));
      const stamp = (await events.wanted(orgId, ['contact.enrolled'])).has('contact.enrolled');
      const rows = stamp ? docs.map((d) => ({ ...d, ...outboxFields([newEvent('contact.enrolled', orgId, { type: 'contact', id: d.contact_id }, enrolledData(d), now)]) })) : docs;
      const failed = new Set<number>();
      try {
        await Enrollment.collection.insertMany(rows as never[], { ordered: false });
      } catch (err) {
        if (!(err instanceof mongo.MongoBulkWriteError)) throw err;
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
        // Anything but a duplicate (org, campaign, contact) is the caller's problem.
        const other = writeErrors.find((w) => w.code !== 11000);
        if (other) throw err;
        for (const w of writeErrors) failed.add(w.index);
      }
      const inserted = docs.filter((_d, i) => !failed.has(i));
      const duplicates = docs.filter((_d, i) => failed.has(i)).map((d) => d.contact_id);
      if (stamp && inserted.length <= FLUSH_EACH_UP_TO) for (const d of inserted) events.flush(Enrollment.collection.collectionName, { _id: d._id });
      return { inserted, duplicates };
    },
    async get(orgId, campaignId, contactId) {
      return Enrollment.findOne({ org_id: orgId, campaign_id: campaignId, contact_id: contactId }, OUTBOX_PROJECTION).lean<EnrollmentDoc>();
    },
    async list(orgId, campaignId, filters, page) {
      const query: Record<string, unknown> = { org_id: orgId, campaign_id: campaignId };
      if (filters.status) query.status = filters.status;
      const data = await Enrollment.find(query, OUTBOX_PROJECTION).sort({ enrolled_at: 1, _id: 1 }).skip(page.skip).limit(page.limit).lean<EnrollmentDoc[]>();
      const total = data.length < page.limit && (data.length > 0 || page.skip === 0) ? page.skip + data.length : await Enrollment.countDocuments(query);
      return { data, total };
    },
    async count(orgId, campaignId) {
      return Enrollment.countDocuments({ org_id: orgId, campaign_id: campaignId });
    },
    async countByStatus(orgId, campaignId) {
      const groups = await Enrollment.aggregate<{ _id: EnrollmentStatus; n: number }>([{ $match: { org_id: orgId, campaign_id: campaignId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
      return Object.fromEntries(groups.map((g) => [g._id, g.n]));
    },
    async countWith(orgId, campaignId, field) {
      return Enrollment.countDocuments({ org_id: orgId, campaign_id: campaignId, [field]: { $exists: true } });
    },
    async latestWith(orgId, campaignId, field, limit) {
      if (limit <= 0) return [];
      return Enrollment.find({ org_id: orgId, campaign_id: campaignId, [field]: { $exists: true } }, OUTBOX_PROJECTION).sort({ [field]: -1, _id: -1 }).limit(limit).lean<EnrollmentDoc[]>();
    },
    async unenroll(orgId, campaignId, contactId, now = new Date()) {
      const updated = await Enrollment.findOneAndUpdate(
        { org_id: orgId, campaign_id: campaignId, contact_id: contactId, status: { $nin: [...ENDED_ENROLLMENT_STATUSES] } },
        { $set: { status: 'unsubscribed', exit_reason: 'unenrolled', unenrolled_at: now, updated_at: now }, $unset: { next_step_at: '' } },
        { returnDocument: 'after', projection: OUTBOX_PROJECTION },
      ).lean<EnrollmentDoc>();
      if (updated) return updated;
      return (await Enrollment.exists({ org_id: orgId, campaign_id: campaignId, contact_id: contactId })) ? 'ended' : null;
    },
    async deleteForContact(orgId, contactId) {
      return (await Enrollment.deleteMany({ org_id: orgId, contact_id: contactId })).deletedCount;
    },
  };
}
