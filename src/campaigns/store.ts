import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../contacts/duplicate-key.js';
import { mergeUpdates, newEvent, noEvents, outboxUpdate, type EventRecorder } from '../platform/events/outbox.js';
import type { EventType } from '../platform/events/types.js';
import { AppError } from '../platform/http/errors.js';
import type { Pagination } from '../platform/http/pagination.js';
import { newId } from './ids.js';
import { ACTION_TARGET, actionRefusal, editRefusal, type CampaignAction } from './lifecycle.js';
import { campaignModels, type CampaignDoc, type CampaignMessageDoc, type CampaignStatus, type CampaignStatusChange } from './models.js';

/** What a new campaign is created from: the campaign's own fields, with every default filled in. */
export type NewCampaign = Pick<CampaignDoc, 'name' | 'description' | 'target_criteria' | 'goal_type' | 'goal_value' | 'goal_stage' | 'budget' | 'start_date' | 'end_date' | 'settings'>;

export type NewMessage = Omit<CampaignMessageDoc, '_id' | 'org_id' | 'campaign_id' | 'step_number' | 'created_at' | 'updated_at'> & { step_number?: number };

/** A change to a campaign's fields, computed from the campaign as read (null: nothing to change). */
export type CampaignPlan = (current: CampaignDoc) => { set: Record<string, unknown>; unset?: readonly string[] } | null;

export interface CampaignStore {
  ready(): Promise<void>;
  create(orgId: string, input: NewCampaign, by: string, now?: Date): Promise<CampaignDoc>;
  get(orgId: string, id: string): Promise<CampaignDoc | null>;
  /** Newest first; archived campaigns only when `status` asks for them. */
  list(orgId: string, filters: { status?: CampaignStatus; type?: string }, page: Pagination): Promise<{ data: CampaignDoc[]; total: number }>;
  /** Changes fields (not the status); 404 as null, 409 when archived. */
  update(orgId: string, id: string, plan: CampaignPlan, now?: Date): Promise<CampaignDoc | null>;
  /**
   * Runs a status action (start, pause, resume, archive) if the campaign's status allows it (409
   * otherwise), recording the change in `status_history` and its event in the same write.
   * `precondition` runs on the campaign as read, before the write (e.g. "has a message").
   */
  act(orgId: string, id: string, action: CampaignAction, options: { by: string; reason?: string | null; precondition?: (current: CampaignDoc) => Promise<void> }, now?: Date): Promise<CampaignDoc | null>;

  listMessages(orgId: string, campaignId: string, page: Pagination): Promise<{ data: CampaignMessageDoc[]; total: number }>;
  allMessages(orgId: string, campaignId: string): Promise<CampaignMessageDoc[]>;
  countMessages(orgId: string, campaignId: string): Promise<number>;
  getMessage(orgId: string, campaignId: string, id: string): Promise<CampaignMessageDoc | null>;
  /** 409 when the step number is taken. */
  createMessage(orgId: string, campaignId: string, input: NewMessage, now?: Date): Promise<CampaignMessageDoc>;
  updateMessage(orgId: string, campaignId: string, id: string, change: { set: Record<string, unknown>; unset: readonly string[] }, now?: Date): Promise<CampaignMessageDoc | null>;
  deleteMessage(orgId: string, campaignId: string, id: string): Promise<boolean>;
}

const OUTBOX_PROJECTION = { _outbox: 0, _outbox_at: 0 } as const;

/** A campaign as its events carry it (catalog.ts, `EventCampaign`). */
export function campaignEventSnapshot(doc: CampaignDoc, reason: string | null, at: Date): Record<string, unknown> {
  return { id: doc._id, name: doc.name, status: doc.status, reason, at: at.toISOString() };
}

/** The event a status action records: resuming is the campaign starting again (reason `resumed` unless one is given). */
const ACTION_EVENT: Partial<Record<CampaignAction, EventType>> = { start: 'campaign.started', resume: 'campaign.started', pause: 'campaign.paused', complete: 'campaign.completed' };

export function createCampaignStore(connection: Connection, events: EventRecorder = noEvents): CampaignStore {
  const { Campaign, CampaignMessage } = campaignModels(connection);
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Promise.all([Campaign.init(), CampaignMessage.init()]).then(() => undefined));
  const newest = { created_at: -1, _id: -1 } as const;

  const stepTaken = async (orgId: string, campaignId: string, step: number) => {
    const existing = await CampaignMessage.findOne({ org_id: orgId, campaign_id: campaignId, step_number: step }, { _id: 1 }).lean<{ _id: string }>();
    return new AppError('CONFLICT', `The campaign has a step ${step} already`, { field: 'step_number', existing_id: existing?._id ?? null });
  };

  const store: CampaignStore = {
    ready,
    async create(orgId, input, by, now = new Date()) {
      await ready();
      const doc: CampaignDoc = {
        _id: newId('cmp'),
        org_id: orgId,
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        campaign_type: 'whatsapp',
        status: 'draft',
        target_criteria: input.target_criteria,
        ...(input.goal_type !== undefined ? { goal_type: input.goal_type } : {}),
        ...(input.goal_value !== undefined ? { goal_value: input.goal_value } : {}),
        ...(input.goal_stage !== undefined ? { goal_stage: input.goal_stage } : {}),
        ...(input.budget !== undefined ? { budget: input.budget } : {}),
        ...(input.start_date !== undefined ? { start_date: input.start_date } : {}),
        ...(input.end_date !== undefined ? { end_date: input.end_date } : {}),
        settings: input.settings,
        status_history: [{ from: null, to: 'draft', reason: null, by, at: now }],
        created_at: now,
        updated_at: now,
      };
      await Campaign.collection.insertOne(doc as never);
      return doc;
    },
    async get(orgId, id) {
      return Campaign.findOne({ _id: id, org_id: orgId }, OUTBOX_PROJECTION).lean<CampaignDoc>();
    },
    async list(orgId, filters, page) {
      const query: Record<string, unknown> = { org_id: orgId, status: filters.status ?? { $ne: 'archived' } };
      if (filters.type) query.campaign_type = filters.type;
      const data = await Campaign.find(query, OUTBOX_PROJECTION).sort(newest).skip(page.skip).limit(page.limit).lean<CampaignDoc[]>();
      const total = data.length < page.limit && (data.length > 0 || page.skip === 0) ? page.skip + data.length : await Campaign.countDocuments(query);
      return { data, total };
    },
    async update(orgId, id, plan, now = new Date()) {
      // Optimistic on updated_at (every write sets it): a change in between makes us read again.
      for (let attempt = 0; attempt < 8; attempt++) {
        const current = await store.get(orgId, id);
        if (!current) return null;
        const refusal = editRefusal(current.status, 'fields');
        if (refusal) throw new AppError('CONFLICT', refusal, { status: current.status });
        const step = plan(current);
        if (!step) return current;
        const update = mergeUpdates({ $set: { ...step.set, updated_at: now } }, step.unset?.length ? { $unset: Object.fromEntries(step.unset.map((f) => [f, ''])) } : {});
        const updated = await Campaign.findOneAndUpdate({ _id: id, org_id: orgId, updated_at: current.updated_at, status: current.status }, update, { returnDocument: 'after', projection: OUTBOX_PROJECTION }).lean<CampaignDoc>();
        if (updated) return updated;
      }
      throw new AppError('CONFLICT', 'The campaign is being changed concurrently; retry');
    },
    async act(orgId, id, action, options, now = new Date()) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const current = await store.get(orgId, id);
        if (!current) return null;
        const refusal = actionRefusal(action, current.status);
        if (refusal) throw new AppError('CONFLICT', refusal, { status: current.status });
        await options.precondition?.(current);
        const to = ACTION_TARGET[action];
        const reason = options.reason ?? (action === 'resume' ? 'resumed' : null);
        const change: CampaignStatusChange = { from: current.status, to, reason, by: options.by, at: now };
        const set: Record<string, unknown> = { status: to, updated_at: now };
        if (action === 'start' && !current.started_at) set.started_at = now;
        if (action === 'pause') set.paused_at = now;
        if (action === 'archive') set.archived_at = now;
        if (action === 'complete') set.completed_at = now;
        const after: CampaignDoc = { ...current, ...(set as Partial<CampaignDoc>) };
        const type = ACTION_EVENT[action];
        const wanted = type ? await events.wanted(orgId, [type]) : new Set<EventType>();
        const recorded = type && wanted.has(type) ? [newEvent(type, orgId, { type: 'campaign', id }, { campaign: campaignEventSnapshot(after, reason, now) }, now)] : [];
        const update = mergeUpdates({ $set: set }, { $push: { status_history: change } }, outboxUpdate(recorded));
        // outboxUpdate's $push names another field than status_history: merged above into one $push.
        const result = await Campaign.updateOne({ _id: id, org_id: orgId, status: current.status, updated_at: current.updated_at }, update);
        if (result.matchedCount === 1) {
          if (recorded.length) events.flush(Campaign.collection.collectionName, { _id: id });
          return { ...after, status_history: [...current.status_history, change] };
        }
      }
      throw new AppError('CONFLICT', 'The campaign is being changed concurrently; retry');
    },

    async listMessages(orgId, campaignId, page) {
      const query = { org_id: orgId, campaign_id: campaignId };
      const [data, total] = await Promise.all([CampaignMessage.find(query).sort({ step_number: 1 }).skip(page.skip).limit(page.limit).lean<CampaignMessageDoc[]>(), CampaignMessage.countDocuments(query)]);
      return { data, total };
    },
    async allMessages(orgId, campaignId) {
      return CampaignMessage.find({ org_id: orgId, campaign_id: campaignId }).sort({ step_number: 1 }).lean<CampaignMessageDoc[]>();
    },
    async countMessages(orgId, campaignId) {
      return CampaignMessage.countDocuments({ org_id: orgId, campaign_id: campaignId });
    },
    async getMessage(orgId, campaignId, id) {
      return CampaignMessage.findOne({ _id: id, org_id: orgId, campaign_id: campaignId }).lean<CampaignMessageDoc>();
    },
    async createMessage(orgId, campaignId, input, now = new Date()) {
      await ready();
      // Without a step number: after the last step (two such requests at once: one gets a 409).
      const step = input.step_number ?? ((await CampaignMessage.findOne({ org_id: orgId, campaign_id: campaignId }, { step_number: 1 }).sort({ step_number: -1 }).lean<{ step_number: number }>())?.step_number ?? 0) + 1;
      const doc: CampaignMessageDoc = { ...input, _id: newId('cmsg'), org_id: orgId, campaign_id: campaignId, step_number: step, created_at: now, updated_at: now };
      try {
        await CampaignMessage.collection.insertOne(doc as never);
      } catch (err) {
        if (isDuplicateKey(err)) throw await stepTaken(orgId, campaignId, step);
        throw err;
      }
      return doc;
    },
    async updateMessage(orgId, campaignId, id, change, now = new Date()) {
      const update = mergeUpdates({ $set: { ...change.set, updated_at: now } }, change.unset.length ? { $unset: Object.fromEntries(change.unset.map((f) => [f, ''])) } : {});
      try {
        return await CampaignMessage.findOneAndUpdate({ _id: id, org_id: orgId, campaign_id: campaignId }, update, { returnDocument: 'after' }).lean<CampaignMessageDoc>();
      } catch (err) {
        if (isDuplicateKey(err)) throw await stepTaken(orgId, campaignId, change.set.step_number as number);
        throw err;
      }
    },
    async deleteMessage(orgId, campaignId, id) {
      return (await CampaignMessage.deleteOne({ _id: id, org_id: orgId, campaign_id: campaignId })).deletedCount === 1;
    },
  };
  return store;
}
