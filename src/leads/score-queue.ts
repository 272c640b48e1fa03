import type { Processor, Queue } from 'bullmq';
import type { Logger } from '../platform/logging/logger.js';
import type { Rescore } from './rescore.js';
import type { LeadStore } from './store.js';

/** The BullMQ queue of the leads module. */
export const leadQueues = {
  /** Debounced lead rescoring, and rescoring every open lead after a rules change. */
  scores: 'lead-scores',
} as const;

/** How long events for one lead are gathered into one scoring run. */
export const SCORE_DEBOUNCE_MS = 2_000;
/** Leads rescored per job after an organization's rules or weights change. */
const SWEEP_PAGE = 500;

type ScoreJob = { kind: 'lead'; orgId: string; leadId: string } | { kind: 'org'; orgId: string; after?: string };

export interface ScoreQueue {
  /**
   * Asks for the leads to be rescored, off the caller's path. Debounced per lead: every request in
   * the same {@link SCORE_DEBOUNCE_MS} window is one job (its id names the window), which runs
   * when the window has closed — so it reads everything the window's events wrote, and an event
   * arriving while it runs falls in the next window and gets a run of its own.
   */
  schedule(orgId: string, leadIds: readonly string[]): Promise<void>;
  /** Rescores every open lead of the organization (after its rules or weights changed). */
  scheduleOrg(orgId: string): Promise<void>;
  processor: Processor<ScoreJob>;
}

export function createScoreQueue(deps: { queue: Queue; rescore: Rescore; leads: LeadStore; logger: Logger; debounceMs?: number; now?: () => number }): ScoreQueue {
  const debounce = deps.debounceMs ?? SCORE_DEBOUNCE_MS;
  const now = deps.now ?? Date.now;
  const retry = { attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } as const;
  return {
    async schedule(orgId, leadIds) {
      if (leadIds.length === 0) return;
      const t = now();
      const windowEnd = Math.floor(t / debounce) * debounce + debounce;
      await deps.queue.addBulk(
        [...new Set(leadIds)].map((leadId) => ({
          name: 'rescore',
          data: { kind: 'lead', orgId, leadId } satisfies ScoreJob,
          opts: { jobId: `lead_${orgId}_${leadId}_${windowEnd}`, delay: windowEnd - t, removeOnComplete: true, ...retry },
        })),
      );
    },
    async scheduleOrg(orgId) {
      await deps.queue.add('rescore-org', { kind: 'org', orgId } satisfies ScoreJob, { removeOnComplete: true, ...retry });
    },
    async processor(job) {
      const data = job.data;
      if (data.kind === 'lead') {
        const lead = await deps.rescore.run(data.orgId, data.leadId);
        return lead ? { score: lead.score, stage: lead.stage } : { gone: true };
      }
      const ids = await deps.leads.openIds(data.orgId, data.after, SWEEP_PAGE);
      for (const id of ids) await deps.rescore.run(data.orgId, id);
      // The next page is a job of its own: a restart resumes from where this one stopped.
      const last = ids.at(-1);
      if (ids.length === SWEEP_PAGE && last) await deps.queue.add('rescore-org', { kind: 'org', orgId: data.orgId, after: last } satisfies ScoreJob, { jobId: `org_${data.orgId}_${last}`, removeOnComplete: true, ...retry });
      deps.logger.info({ orgId: data.orgId, rescored: ids.length }, 'organization leads rescored');
      return { rescored: ids.length };
    },
  };
}
