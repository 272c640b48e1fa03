/**
 * Enrolling contacts in a campaign: by id (up to 10,000 a request), an import's contacts, or
 * everyone the campaign's criteria target — all three through the same batches (unordered
 * insertMany, duplicates reported as already enrolled), so 100,000 contacts stream through in
 * batches of 5,000 ids and never sit in memory as documents. The answer lists the first
 * {@link ENROLL_RESULT_LIST_CAP} of each kind; the counts are exact.
 */
import { AppError } from '../platform/http/errors.js';
import type { ContactDoc } from '../contacts/models.js';
import type { EnrollmentOrigin, EnrollmentStore } from './enrollments.js';
import type { CampaignDoc, EnrollmentDoc } from './models.js';
import { ENROLL_RESULT_LIST_CAP } from './schemas.js';
import type { ContactRef, Targeting } from './targeting.js';

export interface EnrollOutcome {
  enrolled_count: number;
  already_enrolled_count: number;
  skipped_count: number;
  enrollments: EnrollmentDoc[];
  already_enrolled: string[];
  skipped: { contact_id: string; reason: 'do_not_contact' }[];
}

export interface EnrollDeps {
  enrollments: EnrollmentStore;
  targeting: Targeting;
}

const emptyOutcome = (): EnrollOutcome => ({ enrolled_count: 0, already_enrolled_count: 0, skipped_count: 0, enrollments: [], already_enrolled: [], skipped: [] });

const keepFirst = <T>(list: T[], items: readonly T[]) => {
  for (const item of items) {
    if (list.length >= ENROLL_RESULT_LIST_CAP) return;
    list.push(item);
  }
};

/**
 * How many more contacts the criteria may bring in: max_contacts, less those enrolled already
 * when they are excluded (so a campaign never grows past max_contacts through its criteria).
 */
export async function criteriaRoom(deps: EnrollDeps, orgId: string, campaign: CampaignDoc): Promise<number> {
  const { max_contacts, exclude_already_enrolled } = campaign.target_criteria;
  if (max_contacts === null) return Number.POSITIVE_INFINITY;
  if (!exclude_already_enrolled) return max_contacts;
  return Math.max(0, max_contacts - (await deps.enrollments.count(orgId, campaign._id)));
}

/** Enrolls batches of contacts (skipping do-not-contact ones when the campaign excludes them). */
async function enrollBatches(deps: EnrollDeps, orgId: string, campaign: CampaignDoc, batches: AsyncIterable<ContactRef[]> | Iterable<ContactRef[]>, origin: EnrollmentOrigin): Promise<EnrollOutcome> {
  const out = emptyOutcome();
  const excludeDnc = campaign.target_criteria.exclude_do_not_contact;
  for await (const batch of batches) {
    const skipped = excludeDnc ? batch.filter((c) => c.do_not_contact) : [];
    const ids = excludeDnc ? batch.filter((c) => !c.do_not_contact).map((c) => c._id) : batch.map((c) => c._id);
    const { inserted, duplicates } = await deps.enrollments.insertBatch(orgId, campaign._id, ids, origin);
    out.enrolled_count += inserted.length;
    out.already_enrolled_count += duplicates.length;
    out.skipped_count += skipped.length;
    keepFirst(out.enrollments, inserted);
    keepFirst(out.already_enrolled, duplicates);
    keepFirst(
      out.skipped,
      skipped.map((c) => ({ contact_id: c._id, reason: 'do_not_contact' as const })),
    );
  }
  return out;
}

/** Enrolls contacts by id: every id must be a contact of the organization (404 naming the others, before anything is written). */
export async function enrollByIds(deps: EnrollDeps, orgId: string, campaign: CampaignDoc, contactIds: readonly string[]): Promise<EnrollOutcome> {
  const wanted = [...new Set(contactIds)];
  const found = await deps.targeting.contactsByIds(orgId, wanted);
  const byId = new Map(found.map((c) => [c._id, c]));
  const missing = wanted.filter((id) => !byId.has(id));
  if (missing.length) throw new AppError('NOT_FOUND', `No contact ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`, { missing_contact_ids: missing.slice(0, ENROLL_RESULT_LIST_CAP) });
  const ordered = wanted.map((id) => byId.get(id) as ContactRef);
  const batches: ContactRef[][] = [];
  for (let i = 0; i < ordered.length; i += 5_000) batches.push(ordered.slice(i, i + 5_000));
  return enrollBatches(deps, orgId, campaign, batches, { source: 'api' });
}

/** Enrolls the contacts of an import (404 when the organization has no such import: checked by the caller). */
export async function enrollImport(deps: EnrollDeps, orgId: string, campaign: CampaignDoc, importId: string): Promise<EnrollOutcome> {
  return enrollBatches(deps, orgId, campaign, deps.targeting.importBatches(orgId, importId), { source: 'import', import_id: importId });
}

/**
 * Enrolls everyone the campaign's criteria target, in order, up to its room (max_contacts). With
 * exclude_already_enrolled (the default) those enrolled are not targeted, so they count neither
 * toward the cap nor in the answer, except one enrolled by a concurrent request in between
 * (reported as already enrolled); without it they are targeted and reported as already enrolled.
 */
export async function enrollFromCriteria(deps: EnrollDeps, orgId: string, campaign: CampaignDoc): Promise<EnrollOutcome> {
  const criteria = campaign.target_criteria;
  let room = await criteriaRoom(deps, orgId, campaign);
  const out = emptyOutcome();
  if (room <= 0) return out;
  const stream = deps.targeting.criteriaBatches(orgId, campaign._id, criteria);
  try {
    for await (const batch of stream) {
      let pending = batch;
      while (pending.length && room > 0) {
        const take = pending.slice(0, Math.min(pending.length, room));
        pending = pending.slice(take.length);
        const { inserted, duplicates } = await deps.enrollments.insertBatch(orgId, campaign._id, take, { source: 'criteria' });
        out.enrolled_count += inserted.length;
        out.already_enrolled_count += duplicates.length;
        keepFirst(out.enrollments, inserted);
        keepFirst(out.already_enrolled, duplicates);
        // Excluding the enrolled, only new enrollments use up the room; targeting them, every contact does.
        room -= criteria.exclude_already_enrolled ? inserted.length : take.length;
      }
      if (room <= 0) break;
    }
  } finally {
    await stream.return(undefined);
  }
  return out;
}

/**
 * A page of the contacts enroll-from-criteria would enroll now (nothing is written), and how many
 * there are in all (one pass over the targeted ids).
 */
export async function previewTargets(deps: EnrollDeps, orgId: string, campaign: CampaignDoc, page: { skip: number; limit: number }): Promise<{ data: ContactDoc[]; total: number }> {
  const room = await criteriaRoom(deps, orgId, campaign);
  let total = 0;
  const pageIds: string[] = [];
  if (room > 0) {
    const stream = deps.targeting.criteriaBatches(orgId, campaign._id, campaign.target_criteria);
    try {
      for await (const batch of stream) {
        for (const id of batch) {
          if (total >= room) break;
          if (total >= page.skip && pageIds.length < page.limit) pageIds.push(id);
          total++;
        }
        if (total >= room) break;
      }
    } finally {
      await stream.return(undefined);
    }
  }
  return { data: await deps.targeting.contactDocs(orgId, pageIds), total };
}
