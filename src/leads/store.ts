import type { Connection } from 'mongoose';
import { mergeUpdates, newEvent, noEvents, outboxFields, outboxUpdate, type EventRecorder } from '../platform/events/outbox.js';
import type { EventType, PuenteEvent } from '../platform/events/types.js';
import { AppError } from '../platform/http/errors.js';
import type { Pagination } from '../platform/http/pagination.js';
import { newId } from './ids.js';
import { CLOSED_STAGES, leadModels, type LeadContactSnapshot, type LeadDoc, type LeadScoreDoc, type LeadStage, type ScoringSettingsDoc, type StageChange } from './models.js';
import { DEFAULT_WEIGHTS, QUALIFICATION_STATUSES, type ComponentScore, type DemographicRule, type QualificationStatus, type ScoreType, type ScoreWeights } from './scoring/types.js';

export interface NewLead {
  contact_id: string;
  contact: LeadContactSnapshot;
  source: string;
  campaign_id?: string;
  deal_value?: number;
  expected_close_date?: Date;
  qualification_data?: Record<string, unknown>;
  custom_fields?: Record<string, unknown>;
}

export interface LeadFilters {
  query?: string;
  stage?: LeadStage;
  min_score?: number;
  max_score?: number;
  assignee_id?: string;
  qualification_status?: QualificationStatus;
  contact_id?: string;
  source?: string;
}

export interface LeadStats {
  total_leads: number;
  lead_count: number;
  mql_count: number;
  sql_count: number;
  opportunity_count: number;
  customer_count: number;
  lost_count: number;
  avg_score: number;
  total_pipeline_value: number;
  won_value: number;
  qualified_count: number;
  unqualified_count: number;
  disqualified_count: number;
  unscored_count: number;
}

/** A score as kept on the lead (the latest of its type) and in the history. */
export type StoredScore = ComponentScore & { scored_at: Date; by?: string };

/** What a scoring run writes: the scores that changed, the new combined figure and its qualification. */
export interface ScoreUpdate {
  changed: StoredScore[];
  score: number;
  qualification_status: QualificationStatus;
  /** A stage change scoring makes (lead → mql), recorded like any other. */
  promote?: { to: LeadStage; reason: string };
  at: Date;
}

/**
 * Told after a lead's stage changed through this store (API, scoring's promotion, the bot), e.g. a
 * campaign counts a conversion. Awaited after the change is written; it must not throw (a failure
 * would fail a request whose change is already made).
 */
export interface LeadListener {
  stageChanged?(lead: LeadDoc, change: { from: LeadStage; to: LeadStage; at: Date }): Promise<void>;
}

export interface LeadStore {
  ready(): Promise<void>;
  /** Adds a listener for stage changes. */
  listen(listener: LeadListener): void;
  /** A new lead at stage `lead` with score 0; 409 (details name the lead) when the contact has an open lead from that source. */
  create(orgId: string, input: NewLead, by: string, now?: Date): Promise<LeadDoc>;
  get(orgId: string, id: string): Promise<LeadDoc | null>;
  exists(orgId: string, id: string): Promise<boolean>;
  /** The contact's open lead from `source`, if any. */
  openFor(orgId: string, contactId: string, source: string): Promise<LeadDoc | null>;
  /** Moves the lead to `stage` and records the change; the same stage again changes nothing. */
  changeStage(orgId: string, id: string, change: { stage: LeadStage; reason: string | null; by: string }, now?: Date): Promise<LeadDoc | null>;
  /** Sets fields that are not the stage (assignee, deal value, qualification data, …). */
  set(orgId: string, id: string, fields: Partial<Pick<LeadDoc, 'assignee_id' | 'assigned_at' | 'deal_value' | 'qualification_data' | 'custom_fields' | 'campaign_id' | 'expected_close_date' | 'contact' | 'search_text'>>, now?: Date, unset?: readonly ('campaign_id' | 'expected_close_date' | 'assignee_id')[]): Promise<LeadDoc | null>;
  search(orgId: string, filters: LeadFilters, page: Pagination): Promise<{ data: LeadDoc[]; total: number }>;
  stats(orgId: string): Promise<LeadStats>;
  /** Ids of the organization's leads whose contact has one of these phones (WhatsApp users' wa_ids): one query. */
  idsForPhones(orgId: string, phones: readonly string[]): Promise<string[]>;
  /** Ids of the organization's leads for these contacts. */
  idsForContacts(orgId: string, contactIds: readonly string[]): Promise<{ _id: string; contact_id: string }[]>;
  /** Copies a contact's name, email and phone onto its leads (search reads them there). */
  refreshContact(orgId: string, contactId: string, contact: LeadContactSnapshot): Promise<number>;
  /** Deletes the contact's leads and their score history; returns the ids deleted. */
  deleteForContact(orgId: string, contactId: string): Promise<string[]>;
  /** Stores a scoring run: the changed scores in the history and on the lead, the combined score and qualification. */
  applyScores(orgId: string, id: string, update: ScoreUpdate): Promise<LeadDoc | null>;
  /** The latest score of each type (from the lead itself). */
  latestScores(orgId: string, id: string): Promise<Partial<Record<ScoreType, StoredScore>> | null>;
  /** Score history of one type, newest first. */
  scoreHistory(orgId: string, id: string, type: ScoreType, limit: number): Promise<LeadScoreDoc[]>;
  settings(orgId: string): Promise<{ demographic_rules: DemographicRule[]; weights: ScoreWeights; updated_at: Date | null }>;
  saveSettings(orgId: string, settings: { demographic_rules: DemographicRule[]; weights: ScoreWeights }, now?: Date): Promise<ScoringSettingsDoc>;
  /** Open leads of the organization, a page at a time (rescoring everything after a rules change). */
  openIds(orgId: string, after: string | undefined, limit: number): Promise<string[]>;
}

/** Lowercase without accents: how `search_text` is stored and `query` compared. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function searchTextOf(contact: LeadContactSnapshot): string {
  return foldText([contact.name, contact.email, contact.phone].filter(Boolean).join(' '));
}

const OUTBOX_PROJECTION = '_outbox';
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isDuplicateKey = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A lead as its events carry it (catalog.ts, `EventLead`). */
export function leadEventSnapshot(doc: LeadDoc): Record<string, unknown> {
  return {
    id: doc._id,
    contact_id: doc.contact_id,
    source: doc.source,
    stage: doc.stage,
    score: doc.score,
    qualification_status: doc.qualification_status ?? null,
    deal_value: doc.deal_value ?? null,
    assignee_id: doc.assignee_id ?? null,
    updated_at: doc.updated_at.toISOString(),
  };
}

/** The events a lead's change makes, from the lead before and after it. */
function leadEvents(before: LeadDoc | null, after: LeadDoc, by: string | undefined, reason: string | null | undefined): { type: EventType; data: Record<string, unknown> }[] {
  const lead = leadEventSnapshot(after);
  if (!before) return [{ type: 'lead.created', data: { lead } }];
  const out: { type: EventType; data: Record<string, unknown> }[] = [];
  const fields = ['stage', 'score', 'qualification_status', 'deal_value', 'assignee_id', 'qualification_data', 'custom_fields', 'campaign_id', 'expected_close_date', 'contact'] as const;
  const changed = fields.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
  if (changed.length) out.push({ type: 'lead.updated', data: { lead, changed } });
  if (before.stage !== after.stage) {
    out.push({ type: 'lead.stage.changed', data: { lead, from: before.stage, to: after.stage, reason: reason ?? null, by: by ?? 'api' } });
    if (after.stage === 'customer') out.push({ type: 'lead.converted', data: { lead } });
  }
  return out;
}

export function createLeadStore(connection: Connection, events: EventRecorder = noEvents): LeadStore {
  const { Lead, LeadScore, ScoringSettings } = leadModels(connection);
  const LEAD_EVENTS: EventType[] = ['lead.created', 'lead.updated', 'lead.stage.changed', 'lead.converted'];

  /** The wanted events of a change, ready to record. */
  async function eventsFor(before: LeadDoc | null, after: LeadDoc, at: Date, by?: string, reason?: string | null): Promise<PuenteEvent[]> {
    const candidates = leadEvents(before, after, by, reason);
    if (candidates.length === 0) return [];
    const wanted = await events.wanted(after.org_id, LEAD_EVENTS);
    return candidates.filter((e) => wanted.has(e.type)).map((e) => newEvent(e.type, after.org_id, { type: 'lead', id: after._id }, e.data, at));
  }

  /**
   * A change to one lead with its events: read, compute the lead after the change, write it only
   * if the lead is still as read (`updated_at` is the version: every write sets it) — the events
   * in the same update — else read again.
   */
  async function change(orgId: string, id: string, plan: (current: LeadDoc) => { set?: Record<string, unknown>; unset?: readonly string[]; push?: Record<string, unknown>; by?: string; reason?: string | null } | null, now: Date): Promise<LeadDoc | null> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await Lead.findOne({ _id: id, org_id: orgId }, { scores: 0, [OUTBOX_PROJECTION]: 0 }).lean<LeadDoc>();
      if (!current) return null;
      const step = plan(current);
      if (!step) return current;
      const after: LeadDoc = { ...current, ...(step.set as Partial<LeadDoc>), updated_at: now };
      for (const f of step.unset ?? []) delete (after as unknown as Record<string, unknown>)[f];
      const recorded = await eventsFor(current, after, now, step.by, step.reason);
      const update = mergeUpdates(
        { $set: { ...step.set, updated_at: now } },
        step.unset?.length ? { $unset: Object.fromEntries(step.unset.map((f) => [f, ''])) } : {},
        step.push ? { $push: step.push } : {},
        outboxUpdate(recorded),
      );
      // Both $push groups (history, outbox) may name different fields: merged above.
      try {
        const result = await Lead.updateOne({ _id: id, org_id: orgId, updated_at: current.updated_at }, update);
        if (result.matchedCount === 1) {
          if (recorded.length) events.flush(Lead.collection.collectionName, { _id: id });
          return after;
        }
      } catch (err) {
        if (isDuplicateKey(err)) throw await openConflict(orgId, current.contact_id, current.source, `The contact has another open lead from source ${current.source}; it cannot be reopened`);
        throw err;
      }
    }
    throw new AppError('CONFLICT', 'The lead is being changed concurrently; retry');
  }
  let indexes: Promise<void> | undefined;
  const ready = () => (indexes ??= Promise.all([Lead.init(), LeadScore.init(), ScoringSettings.init()]).then(() => undefined));
  const newest = { created_at: -1, _id: -1 } as const;

  async function openConflict(orgId: string, contactId: string, source: string, message: string): Promise<AppError> {
    const existing = await Lead.findOne({ org_id: orgId, contact_id: contactId, source, open: true }, { _id: 1 }).lean<{ _id: string }>();
    return new AppError('CONFLICT', message, { existing_id: existing?._id ?? null });
  }

  const listeners: LeadListener[] = [];
  const store: LeadStore = {
    ready,
    listen(listener) {
      listeners.push(listener);
    },
    async create(orgId, input, by, now = new Date()) {
      await ready();
      const doc: LeadDoc = {
        _id: newId('ld'),
        org_id: orgId,
        contact_id: input.contact_id,
        contact: input.contact,
        search_text: searchTextOf(input.contact),
        source: input.source,
        ...(input.campaign_id !== undefined ? { campaign_id: input.campaign_id } : {}),
        ...(input.deal_value !== undefined ? { deal_value: input.deal_value } : {}),
        ...(input.expected_close_date !== undefined ? { expected_close_date: input.expected_close_date } : {}),
        qualification_data: input.qualification_data ?? {},
        custom_fields: input.custom_fields ?? {},
        stage: 'lead',
        stage_changed_at: now,
        stage_history: [{ from: null, to: 'lead', reason: null, by, at: now }],
        score: 0,
        qualification_status: null,
        open: true,
        created_at: now,
        updated_at: now,
      };
      const recorded = await eventsFor(null, doc, now);
      try {
        await Lead.collection.insertOne({ ...doc, ...outboxFields(recorded) } as never);
      } catch (err) {
        if (isDuplicateKey(err)) throw await openConflict(orgId, input.contact_id, input.source, `The contact has an open lead from source ${input.source}; update it instead`);
        throw err;
      }
      if (recorded.length) events.flush(Lead.collection.collectionName, { _id: doc._id });
      return doc;
    },
    async get(orgId, id) {
      return Lead.findOne({ _id: id, org_id: orgId }, { scores: 0 }).lean<LeadDoc>();
    },
    async exists(orgId, id) {
      return (await Lead.exists({ _id: id, org_id: orgId })) !== null;
    },
    async openFor(orgId, contactId, source) {
      return Lead.findOne({ org_id: orgId, contact_id: contactId, source, open: true }, { scores: 0 }).lean<LeadDoc>();
    },
    async changeStage(orgId, id, { stage, reason, by }, now = new Date()) {
      await ready();
      let from: LeadStage | undefined;
      const changed = await change(
        orgId,
        id,
        (current) => {
          from = undefined;
          if (current.stage === stage) return null;
          from = current.stage;
          const entry: StageChange = { from: current.stage, to: stage, reason, by, at: now };
          const set: Record<string, unknown> = { stage, stage_changed_at: now, open: !CLOSED_STAGES.includes(stage), stage_history: [...current.stage_history, entry] };
          if (reason !== null) set.stage_reason = reason;
          return { set, ...(reason === null ? { unset: ['stage_reason'] } : {}), by, reason };
        },
        now,
      );
      if (changed && from !== undefined) for (const l of listeners) await l.stageChanged?.(changed, { from, to: stage, at: now });
      return changed;
    },
    async set(orgId, id, fields, now = new Date(), unset = []) {
      return change(orgId, id, () => ({ set: fields, unset }), now);
    },
    async search(orgId, filters, page) {
      const query: Record<string, unknown> = { org_id: orgId };
      if (filters.stage) query.stage = filters.stage;
      if (filters.assignee_id) query.assignee_id = filters.assignee_id;
      if (filters.qualification_status) query.qualification_status = filters.qualification_status;
      if (filters.contact_id) query.contact_id = filters.contact_id;
      if (filters.source) query.source = filters.source;
      if (filters.min_score !== undefined || filters.max_score !== undefined) {
        query.score = { ...(filters.min_score !== undefined ? { $gte: filters.min_score } : {}), ...(filters.max_score !== undefined ? { $lte: filters.max_score } : {}) };
      }
      const text = filters.query ? foldText(filters.query.trim()) : '';
      if (text) query.search_text = new RegExp(escapeRegex(text));
      const data = await Lead.find(query, { scores: 0, [OUTBOX_PROJECTION]: 0 }).sort(newest).skip(page.skip).limit(page.limit).lean<LeadDoc[]>();
      // A page that is not full (and not past the end) already says how many there are: no count needed.
      const total = data.length < page.limit && (data.length > 0 || page.skip === 0) ? page.skip + data.length : await Lead.countDocuments(query);
      return { data, total };
    },
    async stats(orgId) {
      // One pass over the organization's leads for the sums; the qualification counts come from its index.
      const [byStage, ...qualified] = await Promise.all([
        Lead.aggregate<{ _id: LeadStage; count: number; score: number; value: number }>([
          { $match: { org_id: orgId } },
          { $group: { _id: '$stage', count: { $sum: 1 }, score: { $sum: '$score' }, value: { $sum: '$deal_value' } } },
        ]),
        ...QUALIFICATION_STATUSES.map((q) => Lead.countDocuments({ org_id: orgId, qualification_status: q })),
      ]);
      const stage = (s: LeadStage) => byStage.find((g) => g._id === s);
      const total = byStage.reduce((n, g) => n + g.count, 0);
      const [qualifiedCount = 0, unqualifiedCount = 0, disqualifiedCount = 0] = qualified;
      return {
        total_leads: total,
        lead_count: stage('lead')?.count ?? 0,
        mql_count: stage('mql')?.count ?? 0,
        sql_count: stage('sql')?.count ?? 0,
        opportunity_count: stage('opportunity')?.count ?? 0,
        customer_count: stage('customer')?.count ?? 0,
        lost_count: stage('lost')?.count ?? 0,
        avg_score: total ? round2(byStage.reduce((n, g) => n + g.score, 0) / total) : 0,
        total_pipeline_value: round2(byStage.filter((g) => !CLOSED_STAGES.includes(g._id)).reduce((n, g) => n + g.value, 0)),
        won_value: round2(stage('customer')?.value ?? 0),
        qualified_count: qualifiedCount,
        unqualified_count: unqualifiedCount,
        disqualified_count: disqualifiedCount,
        unscored_count: total - qualifiedCount - unqualifiedCount - disqualifiedCount,
      };
    },
    async idsForPhones(orgId, phones) {
      if (phones.length === 0) return [];
      const filter = phones.length === 1 ? phones[0] : { $in: [...phones] };
      return (await Lead.find({ org_id: orgId, 'contact.phone': filter }, { _id: 1 }).lean<{ _id: string }[]>()).map((l) => l._id);
    },
    async idsForContacts(orgId, contactIds) {
      if (contactIds.length === 0) return [];
      return Lead.find({ org_id: orgId, contact_id: { $in: [...contactIds] } }, { _id: 1, contact_id: 1 }).lean<{ _id: string; contact_id: string }[]>();
    },
    async refreshContact(orgId, contactId, contact) {
      const result = await Lead.updateMany({ org_id: orgId, contact_id: contactId }, { $set: { contact, search_text: searchTextOf(contact) } });
      return result.modifiedCount;
    },
    async deleteForContact(orgId, contactId) {
      const ids = (await Lead.find({ org_id: orgId, contact_id: contactId }, { _id: 1 }).lean<{ _id: string }[]>()).map((l) => l._id);
      if (ids.length === 0) return [];
      // Scores first: a crash in between leaves a lead without history, never history without a lead.
      await LeadScore.deleteMany({ org_id: orgId, lead_id: { $in: ids } });
      await Lead.deleteMany({ org_id: orgId, _id: { $in: ids } });
      return ids;
    },
    async applyScores(orgId, id, update) {
      await ready();
      if (update.changed.length) {
        await LeadScore.collection.insertMany(
          update.changed.map((s) => ({ _id: newId('ls'), org_id: orgId, lead_id: id, score_type: s.type, score: s.score, ...(s.confidence !== undefined ? { confidence: s.confidence } : {}), reason: s.reason, factors: s.factors, ...(s.by ? { by: s.by } : {}), scored_at: s.scored_at })) as never[],
        );
      }
      const set: Record<string, unknown> = { score: update.score, qualification_status: update.qualification_status, scored_at: update.at };
      for (const s of update.changed) set[`scores.${s.type}`] = s;
      const lead = await change(orgId, id, () => ({ set }), update.at);
      if (!lead || !update.promote) return lead;
      return store.changeStage(orgId, id, { stage: update.promote.to, reason: update.promote.reason, by: 'scoring' }, update.at);
    },
    async latestScores(orgId, id) {
      const lead = await Lead.findOne({ _id: id, org_id: orgId }, { scores: 1 }).lean<{ scores?: Partial<Record<ScoreType, StoredScore>> }>();
      return lead ? (lead.scores ?? {}) : null;
    },
    async scoreHistory(orgId, id, type, limit) {
      return LeadScore.find({ org_id: orgId, lead_id: id, score_type: type }).sort({ scored_at: -1 }).limit(limit).lean<LeadScoreDoc[]>();
    },
    async settings(orgId) {
      const doc = await ScoringSettings.findById(orgId).lean<ScoringSettingsDoc>();
      return doc ? { demographic_rules: doc.demographic_rules, weights: doc.weights, updated_at: doc.updated_at } : { demographic_rules: [], weights: { ...DEFAULT_WEIGHTS }, updated_at: null };
    },
    async saveSettings(orgId, settings, now = new Date()) {
      const doc = { _id: orgId, ...settings, updated_at: now };
      await ScoringSettings.collection.replaceOne({ _id: orgId } as never, doc, { upsert: true });
      return doc;
    },
    async openIds(orgId, after, limit) {
      const query: Record<string, unknown> = { org_id: orgId, open: true };
      if (after) query._id = { $gt: after };
      return (await Lead.find(query, { _id: 1 }).sort({ _id: 1 }).limit(limit).lean<{ _id: string }[]>()).map((l) => l._id);
    },
  };
  return store;
}
