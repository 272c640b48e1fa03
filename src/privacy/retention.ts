/**
 * The retention purge: deletes what is past its period (RETENTION_*_DAYS, 0 = keep forever), in
 * batches of ids so no single command holds MongoDB for long, and at most a bounded number of
 * batches per collection and run (the next hourly run carries on where this one stopped).
 *
 * - messages of the conversation log, by `at` (index `{at: 1}`);
 * - closed tickets, by `closedAt` (index `{closedAt: 1}`, sparse: open tickets have none and are
 *   never purged);
 * - closed leads (stage `customer` or `lost`), by `updated_at` (index `{updated_at: 1}` partial on
 *   `open: false`), with their tasks (`lead_tasks`) and scores (`lead_scores`), which go first: a
 *   crash in between leaves a lead without history, never history without a lead.
 *
 * Deletion is by `_id` with the period's condition repeated, so a document that changed between
 * the read and the delete (a lead moved again) is left for a later run. No events are recorded: a
 * purge is housekeeping, not a change of the business's data.
 */
import type { Connection, mongo } from 'mongoose';
import type { Logger } from '../platform/logging/logger.js';
import { messageModel } from '../conversations/message-log.js';
import { ticketModel } from '../../crm-bridge/ticket-model.js';
import { CLOSED_STAGES, leadModels } from '../leads/models.js';
import { taskModel } from '../leads/tasks/models.js';
import type { PrivacyMetrics, RetentionCollection } from './metrics.js';

const DAY_MS = 86_400_000;
/** Ids per `deleteMany`. */
export const PURGE_BATCH_SIZE = 1_000;
/** Batches per collection in one run: at most 100,000 documents of each an hour. */
export const PURGE_MAX_BATCHES = 100;

/** Days each kind of data is kept; 0 = forever. */
export interface RetentionPeriods {
  messagesDays: number;
  ticketsDays: number;
  leadsDays: number;
}

/** What one run deleted, by collection; `complete` is false when a collection hit the run's bound (more is due). */
export type PurgeResult = Record<RetentionCollection, number> & { complete: boolean };

export interface RetentionDeps {
  connection: Connection;
  periods: RetentionPeriods;
  metrics?: PrivacyMetrics;
  logger?: Logger;
  /** The clock the periods are measured against (tests move it). */
  now?: () => Date;
  batchSize?: number;
  maxBatches?: number;
}

export interface Retention {
  readonly periods: RetentionPeriods;
  /** Deletes what is past its period at `now` (default: the clock), at most the run's bound. */
  purge(now?: Date): Promise<PurgeResult>;
}

export function createRetention(deps: RetentionDeps): Retention {
  const { connection, periods } = deps;
  const batchSize = deps.batchSize ?? PURGE_BATCH_SIZE;
  const maxBatches = deps.maxBatches ?? PURGE_MAX_BATCHES;
  const clock = deps.now ?? (() => new Date());
  const messages = messageModel(connection).collection;
  const tickets = ticketModel(connection).collection;
  const { Lead, LeadScore } = leadModels(connection);
  const tasks = taskModel(connection).collection;

  const cutoff = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
  const count = (collection: RetentionCollection, n: number) => {
    if (n > 0) deps.metrics?.retentionDeleted.inc({ collection }, n);
  };

  /**
   * Deletes the documents of `collection` matching `filter`, a batch of ids at a time, until none
   * is left or the run's bound; `beforeDelete` removes what hangs off a batch first. Returns how many
   * went and whether the bound stopped it.
   */
  async function inBatches(
    collection: mongo.Collection,
    filter: mongo.Filter<mongo.Document>,
    projection: mongo.Document,
    beforeDelete?: (docs: mongo.WithId<mongo.Document>[]) => Promise<void>,
  ): Promise<{ deleted: number; bounded: boolean }> {
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const docs = await collection.find(filter, { projection: { _id: 1, ...projection } }).limit(batchSize).toArray();
      if (docs.length === 0) return { deleted, bounded: false };
      await beforeDelete?.(docs);
      const result = await collection.deleteMany({ ...filter, _id: { $in: docs.map((d) => d._id) } });
      deleted += result.deletedCount;
      if (docs.length < batchSize) return { deleted, bounded: false };
    }
    return { deleted, bounded: true };
  }

  return {
    periods,
    async purge(now = clock()) {
      const result: PurgeResult = { messages: 0, tickets: 0, leads: 0, lead_tasks: 0, lead_scores: 0, complete: true };
      if (periods.messagesDays > 0) {
        const run = await inBatches(messages, { at: { $lt: cutoff(now, periods.messagesDays) } }, {});
        result.messages = run.deleted;
        result.complete &&= !run.bounded;
        count('messages', run.deleted);
      }
      if (periods.ticketsDays > 0) {
        const run = await inBatches(tickets, { closedAt: { $lt: cutoff(now, periods.ticketsDays) }, status: 'closed' }, {});
        result.tickets = run.deleted;
        result.complete &&= !run.bounded;
        count('tickets', run.deleted);
      }
      if (periods.leadsDays > 0) {
        const filter = { open: false, stage: { $in: [...CLOSED_STAGES] }, updated_at: { $lt: cutoff(now, periods.leadsDays) } };
        const run = await inBatches(Lead.collection, filter, { org_id: 1 }, async (leads) => {
          // Tasks and scores are keyed by organization first (their indexes): one delete per organization in the batch.
          const byOrg = new Map<string, string[]>();
          for (const lead of leads) byOrg.set(String(lead.org_id), [...(byOrg.get(String(lead.org_id)) ?? []), String(lead._id)]);
          for (const [orgId, ids] of byOrg) {
            const [t, s] = await Promise.all([tasks.deleteMany({ org_id: orgId, lead_id: { $in: ids } }), LeadScore.collection.deleteMany({ org_id: orgId, lead_id: { $in: ids } })]);
            result.lead_tasks += t.deletedCount;
            result.lead_scores += s.deletedCount;
            count('lead_tasks', t.deletedCount);
            count('lead_scores', s.deletedCount);
          }
        });
        result.leads = run.deleted;
        result.complete &&= !run.bounded;
        count('leads', run.deleted);
      }
      const deleted = result.messages + result.tickets + result.leads + result.lead_tasks + result.lead_scores;
      if (deleted > 0 || !result.complete) deps.logger?.info({ ...result }, 'retention purge');
      return result;
    },
  };
}
