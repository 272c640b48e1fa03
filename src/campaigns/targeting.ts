/**
 * Who a campaign's criteria target (docs/campaigns.md, "Targeting"): the organization's contacts
 * filtered by tags (all of them), consent status and do-not-contact, then by their open leads
 * (stage, score, source: a contact qualifies if ANY of its open leads matches every lead condition
 * given), minus those enrolled in the campaign already — in a fixed order (contact created_at,
 * then _id), streamed in batches of ids so 100,000 contacts are never in memory at once.
 *
 * The contacts and leads collections are read here directly (read-only, through their modules'
 * models): their stores answer pages and single documents, while targeting needs a cursor over
 * one and `$in` look-ups in the other. Nothing here writes to them.
 */
import type { Connection } from 'mongoose';
import { contactModels, type ContactDoc } from '../contacts/models.js';
import { leadModels } from '../leads/models.js';
import { hasLeadConditions } from './criteria.js';
import { campaignModels, type TargetCriteria } from './models.js';

/** Ids per batch handed to the caller (one insertMany each when enrolling). */
export const TARGET_BATCH = 5_000;
/** Ids per `$in` look-up in leads and enrollments (the embedded store probes compound indexes up to 1,000 keys). */
const LOOKUP_CHUNK = 1_000;

export interface ContactRef {
  _id: string;
  do_not_contact?: boolean;
}

export interface Targeting {
  /** The targeted contact ids in order, in batches of up to {@link TARGET_BATCH}. */
  criteriaBatches(orgId: string, campaignId: string, criteria: TargetCriteria, options?: { excludeEnrolled?: boolean; batchSize?: number }): AsyncGenerator<string[]>;
  /** The contacts of an import, in order, in batches (with their do-not-contact flag). */
  importBatches(orgId: string, importId: string, batchSize?: number): AsyncGenerator<ContactRef[]>;
  /** The contacts among `ids` that exist in the organization (with their do-not-contact flag). */
  contactsByIds(orgId: string, ids: readonly string[]): Promise<ContactRef[]>;
  /** Full contacts by id, in the order of `ids` (missing ones left out). */
  contactDocs(orgId: string, ids: readonly string[]): Promise<ContactDoc[]>;
  /** The contacts among `ids` enrolled in the campaign already. */
  enrolledAmong(orgId: string, campaignId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Whether the organization has this import. */
  importExists(orgId: string, importId: string): Promise<boolean>;
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** The lead stages a matching lead may be at: the intersection of the lists given (undefined: any stage). */
export function allowedStages(c: TargetCriteria): string[] | undefined {
  const lists = [c.lifecycle_stages, c.lead_stages].filter((l) => l.length > 0);
  if (lists.length === 0) return undefined;
  return lists.reduce((acc, list) => acc.filter((s) => list.includes(s)));
}

/** The contacts filter of the criteria (everything but the lead conditions and enrollment). */
export function contactFilter(orgId: string, c: TargetCriteria): Record<string, unknown> {
  const filter: Record<string, unknown> = { org_id: orgId };
  if (c.tags.length) filter.tags = { $all: c.tags };
  if (c.opt_in_status.length) filter.opt_in_status = { $in: c.opt_in_status };
  if (c.exclude_do_not_contact) filter.do_not_contact = { $ne: true };
  return filter;
}

/** The open-lead filter of the criteria, for the contacts `ids`. */
export function leadFilter(orgId: string, c: TargetCriteria, ids: readonly string[]): Record<string, unknown> {
  const filter: Record<string, unknown> = { org_id: orgId, contact_id: { $in: [...ids] }, open: true };
  const stages = allowedStages(c);
  if (stages) filter.stage = { $in: stages };
  if (c.min_lead_score !== null || c.max_lead_score !== null) {
    filter.score = { ...(c.min_lead_score !== null ? { $gte: c.min_lead_score } : {}), ...(c.max_lead_score !== null ? { $lte: c.max_lead_score } : {}) };
  }
  if (c.lead_sources.length) filter.source = { $in: c.lead_sources };
  return filter;
}

const ORDER = { created_at: 1, _id: 1 } as const;

/** `ready` resolves once the contacts' and leads' indexes exist (their stores build them): targeting leans on them. */
export function createTargeting(connection: Connection, ready: () => Promise<void> = async () => undefined): Targeting {
  const { Contact, Import } = contactModels(connection);
  const contacts = Contact.collection;
  const leads = leadModels(connection).Lead.collection;
  const enrollments = campaignModels(connection).Enrollment.collection;

  async function enrolledAmong(orgId: string, campaignId: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks(ids, LOOKUP_CHUNK)) {
      const docs = await enrollments.find({ org_id: orgId, campaign_id: campaignId, contact_id: { $in: chunk } }, { projection: { _id: 0, contact_id: 1 } }).toArray();
      for (const d of docs) found.add(String(d.contact_id));
    }
    return found;
  }

  /** `ids` that pass the lead conditions and the enrollment exclusion, in order. */
  async function refine(orgId: string, campaignId: string, c: TargetCriteria, ids: string[], excludeEnrolled: boolean): Promise<string[]> {
    let kept = ids;
    if (hasLeadConditions(c)) {
      if (allowedStages(c)?.length === 0) return [];
      const qualified = new Set<string>();
      for (const chunk of chunks(kept, LOOKUP_CHUNK)) {
        const docs = await leads.find(leadFilter(orgId, c, chunk), { projection: { _id: 0, contact_id: 1 } }).toArray();
        for (const d of docs) qualified.add(String(d.contact_id));
      }
      kept = kept.filter((id) => qualified.has(id));
    }
    if (excludeEnrolled && kept.length) {
      const enrolled = await enrolledAmong(orgId, campaignId, kept);
      if (enrolled.size) kept = kept.filter((id) => !enrolled.has(id));
    }
    return kept;
  }

  return {
    async *criteriaBatches(orgId, campaignId, c, options = {}) {
      const batchSize = options.batchSize ?? TARGET_BATCH;
      const excludeEnrolled = options.excludeEnrolled ?? c.exclude_already_enrolled;
      if (hasLeadConditions(c) && allowedStages(c)?.length === 0) return;
      await ready();
      const cursor = contacts.find(contactFilter(orgId, c), { projection: { _id: 1 }, sort: ORDER, batchSize });
      try {
        let pending: string[] = [];
        let out: string[] = [];
        const settle = async () => {
          out.push(...(await refine(orgId, campaignId, c, pending, excludeEnrolled)));
          pending = [];
        };
        for await (const doc of cursor) {
          pending.push(String(doc._id));
          if (pending.length >= batchSize) await settle();
          while (out.length >= batchSize) {
            yield out.slice(0, batchSize);
            out = out.slice(batchSize);
          }
        }
        if (pending.length) await settle();
        while (out.length) {
          yield out.slice(0, batchSize);
          out = out.slice(batchSize);
        }
      } finally {
        await cursor.close();
      }
    },
    async *importBatches(orgId, importId, batchSize = TARGET_BATCH) {
      const cursor = contacts.find({ org_id: orgId, import_ids: importId }, { projection: { _id: 1, do_not_contact: 1 }, sort: ORDER, batchSize });
      try {
        let batch: ContactRef[] = [];
        for await (const doc of cursor) {
          batch.push({ _id: String(doc._id), do_not_contact: doc.do_not_contact === true });
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
      } finally {
        await cursor.close();
      }
    },
    async contactsByIds(orgId, ids) {
      const out: ContactRef[] = [];
      for (const chunk of chunks([...new Set(ids)], LOOKUP_CHUNK)) {
        const docs = await contacts.find({ _id: { $in: chunk } as never, org_id: orgId }, { projection: { _id: 1, do_not_contact: 1 } }).toArray();
        for (const d of docs) out.push({ _id: String(d._id), do_not_contact: d.do_not_contact === true });
      }
      return out;
    },
    async contactDocs(orgId, ids) {
      if (ids.length === 0) return [];
      const docs = (await contacts.find({ _id: { $in: [...ids] } as never, org_id: orgId }, { projection: { _outbox: 0, _outbox_at: 0 } }).toArray()) as unknown as ContactDoc[];
      const byId = new Map(docs.map((d) => [d._id, d]));
      return ids.map((id) => byId.get(id)).filter((d): d is ContactDoc => d !== undefined);
    },
    enrolledAmong,
    async importExists(orgId, importId) {
      return (await Import.collection.countDocuments({ _id: importId as never, org_id: orgId }, { limit: 1 })) > 0;
    },
  };
}
