/**
 * Conversions (the funnel's last point): the lead store tells us when a lead's stage changes; when
 * a contact's lead reaches `customer`, or the stage the campaign names as its goal (`goal_stage`;
 * a later stage counts too, `lost` never), within the campaign's conversion window
 * (`settings.conversion_window_days`, default {@link DEFAULT_CONVERSION_WINDOW_DAYS}) after the
 * contact's first send (`sent_at`), the enrollment gets `converted_at` — the first time only — and
 * `contact.converted` is recorded in the same write (outbox). The lead is kept
 * (`converted_lead_id`) so the campaign's revenue is that lead's deal value.
 *
 * A contact never sent anything in a campaign does not convert in it: the campaign had no part.
 */
import type { Connection } from 'mongoose';
import type { LeadDoc, LeadStage } from '../leads/models.js';
import type { LeadListener } from '../leads/store.js';
import { mergeUpdates, newEvent, noEvents, outboxUpdate, type EventRecorder } from '../platform/events/outbox.js';
import type { Logger } from '../platform/logging/logger.js';
import { campaignModels, type CampaignDoc } from './models.js';

export const DEFAULT_CONVERSION_WINDOW_DAYS = 30;
export const MAX_CONVERSION_WINDOW_DAYS = 365;
/** Stages a campaign may name as its goal, in pipeline order (reaching a later one reaches it too). */
export const GOAL_STAGES = ['mql', 'sql', 'opportunity', 'customer'] as const;
const ORDER: readonly LeadStage[] = ['lead', 'mql', 'sql', 'opportunity', 'customer'];
const DAY_MS = 86_400_000;

/** Whether a lead at `stage` has reached the campaign's goal. */
export function reachesGoal(stage: LeadStage, goal: string | undefined): boolean {
  if (stage === 'customer') return true;
  const at = ORDER.indexOf(stage);
  const wanted = ORDER.indexOf((goal ?? 'customer') as LeadStage);
  return at > 0 && wanted > 0 && at >= wanted;
}

export function conversionWindowDays(campaign: Pick<CampaignDoc, 'settings'>): number {
  return campaign.settings?.conversion_window_days ?? DEFAULT_CONVERSION_WINDOW_DAYS;
}

export function createConversions(deps: { connection: Connection; events?: EventRecorder; logger: Logger; now?: () => Date }): { listener: LeadListener; convert(lead: LeadDoc, at: Date): Promise<number> } {
  const { Campaign, Enrollment } = campaignModels(deps.connection);
  const events = deps.events ?? noEvents;
  const now = deps.now ?? (() => new Date());

  /** Converts the contact's enrollments whose campaign goal the lead now meets, within their window; returns how many. */
  async function convert(lead: LeadDoc, at: Date): Promise<number> {
    if (lead.stage === 'lead' || lead.stage === 'lost') return 0;
    const candidates = await Enrollment.collection
      .find({ org_id: lead.org_id, contact_id: lead.contact_id, sent_at: { $exists: true }, converted_at: { $exists: false } }, { projection: { campaign_id: 1, contact_id: 1, sent_at: 1 } })
      .toArray();
    if (candidates.length === 0) return 0;
    const campaigns = await Campaign.find({ org_id: lead.org_id, _id: { $in: [...new Set(candidates.map((e) => String(e.campaign_id)))] } }, { goal_stage: 1, settings: 1 }).lean<Pick<CampaignDoc, '_id' | 'goal_stage' | 'settings'>[]>();
    const byId = new Map(campaigns.map((c) => [c._id, c]));
    const wanted = (await events.wanted(lead.org_id, ['contact.converted'])).has('contact.converted');
    let converted = 0;
    for (const e of candidates) {
      const campaign = byId.get(String(e.campaign_id));
      const sentAt = e.sent_at as Date;
      if (!campaign || !reachesGoal(lead.stage, campaign.goal_stage)) continue;
      if (at.getTime() < sentAt.getTime() || at.getTime() > sentAt.getTime() + conversionWindowDays(campaign) * DAY_MS) continue;
      const recorded = wanted ? [newEvent('contact.converted', lead.org_id, { type: 'contact', id: lead.contact_id }, { enrollment: { campaign_id: campaign._id, contact_id: lead.contact_id, at: at.toISOString() } }, at)] : [];
      const result = await Enrollment.collection.updateOne(
        { _id: e._id, converted_at: { $exists: false } },
        mergeUpdates({ $set: { converted_at: at, converted_lead_id: lead._id, converted_stage: lead.stage, updated_at: now() } }, outboxUpdate(recorded)),
      );
      if (result.modifiedCount === 0) continue;
      converted++;
      if (recorded.length) events.flush(Enrollment.collection.collectionName, { _id: e._id });
    }
    return converted;
  }

  return {
    convert,
    listener: {
      async stageChanged(lead, change) {
        await convert(lead, change.at).catch((err: unknown) => deps.logger.warn({ err, leadId: lead._id }, 'could not record a campaign conversion'));
      },
    },
  };
}
