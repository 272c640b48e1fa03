/**
 * The campaign sender (docs/campaigns.md, "Sending"). A BullMQ job scheduler ticks every
 * CAMPAIGN_SENDER_TICK_MS and queues one `run` job per active campaign (job id per campaign, so a
 * campaign is run by one worker at a time); a run sends the campaign's due steps in batches for up
 * to {@link RUN_BUDGET_MS}, then ends and the next tick queues it again.
 *
 * Per due enrollment: compliance (consent, do-not-contact, marketing consent), the step's send
 * time in the contact's zone (or, with send_time_optimization, the hour the contact usually reads:
 * send-time-optimization.ts), personalization and the frequency cap. Then per group of such steps
 * (about {@link GROUP_WINDOW_MS} of the campaign's rate): the campaign's own rate (a Redis slot
 * reservation, like the pacer's, one slot per step), a **conditional claim** of the steps on their
 * enrollments (`current_step` moves from the step before to this one, `send_state: claimed`:
 * step-claims.ts) and the send through the conversations' outbound path (`Outbound.enqueue`,
 * outbound id `cmp.<enrollment>.<step>`), after which the enrollments are `queued` with their next
 * step's due time.
 *
 * At most once per (enrollment, step): the claim is a conditional update, so a re-run (a retried
 * job, a second worker, a run a month later) finds `current_step` moved and sends nothing. A crash
 * between the claim and the enqueue leaves `send_state: claimed` with a due time a minute ahead
 * (`CLAIM_TIMEOUT_MS`); the run that finds it queues the same outbound id again, which the
 * outbound path deduplicates (mailbox dedupe key and send claims, 24 h) — and the message log says
 * whether it got further than queued already.
 */
import type { Processor, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { contactModels, type ContactDoc } from '../contacts/models.js';
import type { ConversationLog } from '../conversations/conversation-log.js';
import { campaignOutboundId, type Outbound, type OutboundItem } from '../conversations/outbound.js';
import { leadModels } from '../leads/models.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import { conversationKey } from '../whatsapp/normalize.js';
import { paceKey, reserveSlots, slotIntervalUs, waitForFreeSlot } from '../whatsapp/pacer.js';
import { parseFrequencyCap, reserveUnderCap } from './frequency-cap.js';
import { campaignModels, type CampaignDoc, type CampaignMessageDoc, type EnrollmentDoc } from './models.js';
import { tokensIn } from './personalization.js';
import { DEFAULT_SEND_RATE } from './schemas.js';
import type { RecentCampaignSends } from './recent-sends.js';
import { nextSendTime } from './send-window.js';
import { optimizedSendTime, readingHabits, type ReadingHabit } from './send-time-optimization.js';
import { createStepClaims, RUNNING, stepDelayMs } from './step-claims.js';
import { stepMessageBuilder, type BuiltStepMessage } from './step-message.js';
import type { CampaignStore } from './store.js';
import type { TemplateCatalog } from './templates.js';

/** The campaigns module's BullMQ queue. */
export const campaignQueues = { sender: 'campaign-sender' } as const;

/** Due enrollments read per batch. */
export const SEND_BATCH = 100;
/** Sends of one run in progress at once (each group waits for its rate slots in turn). */
const RUN_CONCURRENCY = 16;
/** A group of steps is claimed, queued and moved together: about this much of the campaign's rate. */
export const GROUP_WINDOW_MS = 200;
/** The largest group. */
const MAX_GROUP = 16;
/** Steps per group at `rate` msg/s: 1 up to 9 msg/s, 10 at 50 msg/s, 16 from 80 msg/s. */
export const groupSizeFor = (rate: number) => Math.max(1, Math.min(MAX_GROUP, Math.floor((rate * GROUP_WINDOW_MS) / 1000)));
/** A run stops after this long (the next tick queues the campaign again). */
export const RUN_BUDGET_MS = 20_000;
/** How stale the run's view of the campaign's status may be (a pause stops new claims within this). */
const STATUS_TTL_MS = 200;
/** A step whose send time is less than this ahead goes now. */
const SEND_TIME_SLACK_MS = 1_000;



/** A due step that passed the checks, ready to be claimed and queued. */
interface Ready {
  enr: EnrollmentDoc;
  step: CampaignMessageDoc;
  contact: ContactDoc;
  message: Extract<BuiltStepMessage, { ok: true }>['message'];
  itemId: string;
  /** Claimed before by a run that died before the move (`send_state: claimed`). */
  recovering: boolean;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

type SendJob = { kind: 'tick' } | { kind: 'run'; orgId: string; campaignId: string };

export interface SenderDeps {
  connection: Connection;
  redis: Redis;
  keyPrefix: string;
  queue: Queue;
  outbound: Pick<Outbound, 'enqueue'>;
  log: Pick<ConversationLog, 'model'>;
  campaigns: CampaignStore;
  templates: TemplateCatalog;
  metrics: Metrics;
  logger: Logger;
  /** Marks the conversations campaign steps go to (replies and opt-outs look there first). */
  recent?: RecentCampaignSends;
  /** WHATSAPP_MAX_MPS: no campaign sends faster. */
  maxMps: number;
  /** CAMPAIGN_SENDER_TICK_MS. */
  tickMs: number;
  /** The organization's business numbers (the first is its default sender). */
  orgNumbers(orgId: string): Promise<string[]>;
  /** WHATSAPP_PHONE_NUMBER_ID: the number of an organization that has none of its own (`default`). */
  defaultPhoneNumberId?: string | undefined;
}

/** What one run did (tests and logs). */
export interface RunSummary {
  queued: number;
  postponed: number;
  ended: number;
  completed: boolean;
}

export type Sender = ReturnType<typeof createSender>;

export function createSender(deps: SenderDeps) {
  const { Campaign, Enrollment } = campaignModels(deps.connection);
  const { Contact } = contactModels(deps.connection);
  const { Lead } = leadModels(deps.connection);
  const count = (result: string, n = 1) => deps.metrics.campaignSends.inc({ result }, n);
  const { end, postpone, claim, claimAgain, moveQueued } = createStepClaims(Enrollment, count);

  /** The number a campaign sends from: its setting if the organization (`numbers`) still has it, else the organization's first. */
  function sendingNumber(campaign: CampaignDoc, numbers: readonly string[]): string | undefined {
    const wanted = campaign.settings?.phone_number_id;
    if (wanted && numbers.includes(wanted)) return wanted;
    if (wanted) return undefined; // the number left the organization: not another one silently
    return numbers[0] ?? (campaign.org_id === 'default' ? deps.defaultPhoneNumberId : undefined);
  }

  const buildMessage = stepMessageBuilder(deps.templates);

  /**
   * Sends the due steps of one campaign until none is due, the campaign stops being active, or the
   * budget runs out. `now` is injectable for tests (the due comparison and the recorded times).
   */
  async function runCampaign(orgId: string, campaignId: string, options: { budgetMs?: number; now?: () => Date } = {}): Promise<RunSummary> {
    const clock = options.now ?? (() => new Date());
    const summary: RunSummary = { queued: 0, postponed: 0, ended: 0, completed: false };
    const campaign = await deps.campaigns.get(orgId, campaignId);
    if (campaign?.status !== 'active') return summary;
    const started = clock();
    if (campaign.start_date && campaign.start_date > started) return summary;
    if (campaign.end_date && campaign.end_date <= started) {
      summary.completed = await complete(campaign, 'end_date');
      return summary;
    }
    const steps = await deps.campaigns.allMessages(orgId, campaignId);
    const first = steps[0];
    if (!first) return summary;
    const stepAfter = (n: number) => steps.find((s) => s.step_number > n);

    // Enrollments that have never been scheduled (enrolled before the start or since): their
    // first step is due its delay from now (the later of enrollment and start, to the tick).
    await Enrollment.updateMany(
      { org_id: orgId, campaign_id: campaignId, status: { $in: [...RUNNING] }, current_step: 0, next_step_at: { $exists: false } },
      { $set: { next_step_at: new Date(started.getTime() + stepDelayMs(first)), updated_at: started } },
    );

    const numbers = await deps.orgNumbers(orgId);
    const phoneNumberId = sendingNumber(campaign, numbers);
    if (!phoneNumberId) {
      await autoPause(campaign, 'no_phone_number', 'The campaign has no WhatsApp number of its organization to send from');
      return summary;
    }
    const rate = Math.min(campaign.settings?.send_rate ?? DEFAULT_SEND_RATE, deps.maxMps);
    const rateKey = `${deps.keyPrefix}:cmp:rate:${campaignId}`;
    const intervalUs = slotIntervalUs(rate);
    const numberKey = paceKey(deps.keyPrefix, phoneNumberId);
    const numberIntervalUs = slotIntervalUs(deps.maxMps);
    const cap = parseFrequencyCap(campaign.settings?.frequency_cap);
    const needsLead = steps.some((s) => [...s.template_parameters, ...s.header_parameters].some((p) => tokensIn(p.value).some((t) => t === 'deal_value' || t === 'score')));
    // Send time optimization learns from the conversations of the organization's own numbers only.
    const optimizing = campaign.settings?.send_time_optimization === true;
    const historyNumbers = optimizing ? [...new Set([...numbers, phoneNumberId])] : [];
    /** Whether a due enrollment's next send waits for its recipient's usual hour: a new step without a send_time, not waited for already. */
    const toOptimize = (enr: EnrollmentDoc) => {
      if (!optimizing || enr.send_state === 'claimed') return false;
      const step = stepAfter(enr.current_step);
      return !!step && !step.send_time && enr.optimized_step !== step.step_number;
    };

    let status = { active: true, at: Date.now() };
    const stillActive = async () => {
      if (Date.now() - status.at > STATUS_TTL_MS) {
        const fresh = await Campaign.findOne({ _id: campaignId, org_id: orgId }, { status: 1 }).lean<{ status: string }>();
        status = { active: fresh?.status === 'active', at: Date.now() };
      }
      return status.active;
    };

    const deadline = Date.now() + (options.budgetMs ?? RUN_BUDGET_MS);
    while (Date.now() < deadline && (await stillActive())) {
      const now = clock();
      // Not sorted: the index (org, campaign, status, next_step_at) yields them oldest due first per
      // status anyway, and a sort over 100,000 due enrollments cost the store ~35–100 ms per batch.
      const due = await Enrollment.find({ org_id: orgId, campaign_id: campaignId, status: { $in: [...RUNNING] }, next_step_at: { $lte: now } }, { _outbox: 0, _outbox_at: 0 })
        .limit(SEND_BATCH)
        .lean<EnrollmentDoc[]>();
      if (due.length === 0) break;
      const contactIds = due.map((e) => e.contact_id);
      const contacts = new Map((await Contact.find({ org_id: orgId, _id: { $in: contactIds } }).lean<ContactDoc[]>()).map((c) => [c._id, c]));
      const leads = needsLead ? await latestOpenLeads(orgId, contactIds) : new Map<string, { deal_value?: number | null; score?: number | null }>();
      // One aggregation for the batch's recipients whose step waits for their usual hour.
      const recipients = new Map<string, string | null | undefined>();
      for (const enr of due) {
        const c = toOptimize(enr) ? contacts.get(enr.contact_id) : undefined;
        if (c) recipients.set(c.phone, c.timezone);
      }
      const habits = recipients.size ? await readingHabits(deps.log, recipients, historyNumbers, now) : new Map<string, ReadingHabit>();

      /** The checks before a send (any can end or postpone the enrollment instead): the step ready to claim, or nothing. */
      const prepare = async (enr: EnrollmentDoc): Promise<Ready | undefined> => {
        const recovering = enr.send_state === 'claimed';
        const step = recovering ? steps.find((s) => s.step_number === enr.current_step) : stepAfter(enr.current_step);
        const at = clock();
        if (!step) {
          // Nothing left (its steps were removed): the enrollment is done.
          await end(enr, { status: 'completed', reason: 'completed' }, at);
          summary.ended++;
          return undefined;
        }
        const contact = contacts.get(enr.contact_id);
        if (!contact) {
          await end(enr, { status: 'completed', reason: 'skipped', error: { code: 'contact_missing', title: 'The contact no longer exists' } }, at);
          summary.ended++;
          return undefined;
        }
        // Consent at send time: it may have changed since the enrollment.
        if (contact.do_not_contact) {
          await end(enr, { status: 'unsubscribed', reason: 'do_not_contact' }, at);
          summary.ended++;
          return undefined;
        }
        if (contact.opt_in_status === 'opted_out') {
          await end(enr, { status: 'unsubscribed', reason: 'opted_out' }, at);
          summary.ended++;
          return undefined;
        }
        // MARKETING (and a template whose category is unknown) only to contacts who opted in;
        // UTILITY and AUTHENTICATION also to contacts whose consent is unknown.
        const category = step.template_category ?? 'MARKETING';
        if (category !== 'UTILITY' && category !== 'AUTHENTICATION' && contact.opt_in_status !== 'opted_in') {
          await end(enr, { status: 'completed', reason: 'skipped', error: { code: 'not_opted_in', title: `A ${category} template needs the contact's opt-in (opt_in_status ${contact.opt_in_status})` } }, at);
          summary.ended++;
          return undefined;
        }
        if (!recovering && step.send_time && enr.next_step_at) {
          const when = nextSendTime(step.send_time, contact.timezone ?? '', enr.next_step_at);
          if (when.getTime() > at.getTime() + SEND_TIME_SLACK_MS) {
            await postpone(enr, when, 'send_time');
            summary.postponed++;
            return undefined;
          }
        } else if (toOptimize(enr)) {
          // Once per step: `optimized_step` marks the wait, so the step goes when it ends (whatever
          // the habit says by then) and is never held more than a day for this.
          const when = optimizedSendTime(habits.get(contact.phone), contact.timezone, at);
          if (when.getTime() > at.getTime() + SEND_TIME_SLACK_MS) {
            await postpone(enr, when, 'send_time_optimization', { optimized_step: step.step_number });
            summary.postponed++;
            return undefined;
          }
        }
        const built = await buildMessage(step, contact.phone, { contact, lead: leads.get(contact._id) ?? null });
        if (!built.ok) {
          await end(enr, { status: 'completed', reason: 'skipped', error: { code: 'missing_personalization', title: `No value and no fallback for ${built.missing.map((t) => `{{${t}}}`).join(', ')}` } }, at);
          summary.ended++;
          return undefined;
        }
        const itemId = campaignOutboundId(enr._id, step.step_number);
        if (cap && !recovering) {
          const fitsAt = await reserveUnderCap(deps.redis, deps.keyPrefix, orgId, contact._id, cap, itemId, at.getTime());
          if (fitsAt > 0) {
            await postpone(enr, new Date(fitsAt), 'frequency_cap');
            summary.postponed++;
            return undefined;
          }
        }
        return { enr, step, contact, message: built.message, itemId, recovering };
      };

      /**
       * Claims, queues and moves a group of prepared steps: one rate reservation for the group, one
       * conditional update per step number for the claims, one enqueue, one update per step number
       * for the moves — a handful of round trips per group instead of per step (at 50 msg/s a
       * campaign send cost the background process ~7 ms of CPU and the store 4 commands).
       */
      const sendGroup = async (group: Ready[]): Promise<void> => {
        const fresh = group.filter((r) => !r.recovering);
        if (fresh.length > 0) {
          await reserveSlots(deps.redis, rateKey, intervalUs, fresh.length);
          // Backpressure: queue only while the number has a slot free, so campaign sends never pile
          // up in the lanes (each would hold an outbound worker) while replies keep the number busy.
          await waitForFreeSlot(deps.redis, numberKey, numberIntervalUs);
        }
        if (!(await stillActive())) return; // paused while waiting: not claimed, resumes later
        const claimedAt = clock();
        const [won, recovered] = await Promise.all([claimFresh(fresh, claimedAt), claimRecovering(group.filter((r) => r.recovering), claimedAt)]);
        const claimed = [...won, ...recovered];
        if (claimed.length === 0) return; // other runs took them (or they ended meanwhile)
        // A recovered claim is queued again only if its message never got past `queued`.
        const logged = recovered.length
          ? new Map((await deps.log.model.find({ outboundId: { $in: recovered.map((r) => r.itemId) } }, { outboundId: 1, status: 1 }).lean<{ outboundId: string; status: string }[]>()).map((m) => [m.outboundId, m.status]))
          : new Map<string, string>();
        const toQueue = claimed.filter((r) => !r.recovering || (logged.get(r.itemId) ?? 'queued') === 'queued');
        if (toQueue.length > 0) {
          const items = toQueue.map(
            (r): OutboundItem => ({
              id: r.itemId,
              phoneNumberId,
              to: r.contact.phone,
              payload: { kind: 'message', message: r.message, freeForm: false },
              author: 'system',
              createdAt: claimedAt.getTime(),
              campaign: { orgId, campaignId, enrollmentId: r.enr._id, step: r.step.step_number, rate },
            }),
          );
          await Promise.all(toQueue.map((r) => deps.recent?.mark(conversationKey(phoneNumberId, r.contact.phone))));
          await deps.outbound.enqueue(items);
        }
        if (won.length) count('queued', won.length);
        if (recovered.length) count('requeued', recovered.length);
        summary.queued += claimed.length;
        await Promise.all([...groupBy(claimed, (r) => r.step.step_number)].map(([stepNumber, rs]) => moveQueued(rs.map((r) => r.enr._id), stepNumber, stepAfter(stepNumber), clock())));
      };

      /** The conditional claims of steps not claimed before, one update per step number: the ones this run won. */
      const claimFresh = async (fresh: Ready[], claimedAt: Date): Promise<Ready[]> => {
        const won = await Promise.all(
          [...groupBy(fresh, (r) => r.enr.current_step)].map(async ([currentStep, rs]) => {
            const ids = await claim(rs.map((r) => r.enr._id), currentStep, rs[0]!.step.step_number, claimedAt);
            return rs.filter((r) => ids.has(r.enr._id));
          }),
        );
        return won.flat();
      };

      /** Claims found `claimed` (their run died before the move), taken over by this run: the ones it got. */
      const claimRecovering = async (recovering: Ready[], claimedAt: Date): Promise<Ready[]> =>
        (await Promise.all(recovering.map(async (r) => ((await claimAgain(r.enr, claimedAt)) ? [r] : [])))).flat();

      // Groups of up to `groupSize` due enrollments, `groupWorkers` groups at a time: at low rates
      // (a group of one) this is 16 single sends in flight, as before groups existed.
      const groupSize = groupSizeFor(rate);
      const groupWorkers = Math.max(1, Math.ceil(RUN_CONCURRENCY / groupSize));
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(groupWorkers, Math.ceil(due.length / groupSize)) }, async () => {
          while (Date.now() < deadline && (await stillActive())) {
            // Taken after the await: another worker may have taken the last ones meanwhile.
            const taken = due.slice(next, next + groupSize);
            next += taken.length;
            if (taken.length === 0) break;
            const prepared = await Promise.all(
              taken.map(async (enr) => {
                try {
                  return await prepare(enr);
                } catch (err) {
                  deps.logger.warn({ err, campaignId, enrollmentId: enr._id }, 'campaign step not sent; retried on a later run');
                  return undefined;
                }
              }),
            );
            const ready = prepared.filter((r): r is Ready => r !== undefined);
            if (ready.length === 0) continue;
            try {
              await sendGroup(ready);
            } catch (err) {
              deps.logger.warn({ err, campaignId, enrollmentIds: ready.map((r) => r.enr._id) }, 'campaign steps not sent; retried on a later run');
            }
          }
        }),
      );
    }
    if (Date.now() < deadline && (await stillActive())) summary.completed = await completeIfDone(orgId, campaignId);
    return summary;
  }

  /** The latest open lead of each contact (deal value, score for personalization). */
  async function latestOpenLeads(orgId: string, contactIds: string[]) {
    const leads = await Lead.find({ org_id: orgId, contact_id: { $in: contactIds }, open: true }, { contact_id: 1, deal_value: 1, score: 1, updated_at: 1 })
      .sort({ updated_at: -1 })
      .lean<{ contact_id: string; deal_value?: number | null; score?: number | null }[]>();
    const byContact = new Map<string, { deal_value?: number | null; score?: number | null }>();
    for (const lead of leads) if (!byContact.has(lead.contact_id)) byContact.set(lead.contact_id, lead);
    return byContact;
  }

  /** Completes the campaign when it has enrollments and none is still running. */
  async function completeIfDone(orgId: string, campaignId: string): Promise<boolean> {
    const running = await Enrollment.exists({ org_id: orgId, campaign_id: campaignId, status: { $in: [...RUNNING, 'paused'] } });
    if (running) return false;
    const any = await Enrollment.exists({ org_id: orgId, campaign_id: campaignId });
    if (!any) return false;
    const campaign = await deps.campaigns.get(orgId, campaignId);
    return campaign ? complete(campaign, 'all_enrollments_finished') : false;
  }

  async function complete(campaign: CampaignDoc, reason: string): Promise<boolean> {
    try {
      await deps.campaigns.act(campaign.org_id, campaign._id, 'complete', { by: 'sender', reason });
      deps.logger.info({ campaignId: campaign._id, reason }, 'campaign completed');
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'CONFLICT') return false; // paused or completed meanwhile
      throw err;
    }
  }

  /** Pauses an active campaign on the sender's own account (a quality signal, no number): status_history, campaign.paused, the alert metric. */
  async function autoPause(campaign: Pick<CampaignDoc, 'org_id' | '_id'>, reason: string, detail: string): Promise<boolean> {
    try {
      await deps.campaigns.act(campaign.org_id, campaign._id, 'pause', { by: 'sender', reason: `auto_paused: ${detail}` });
    } catch (err) {
      if ((err as { code?: string }).code === 'CONFLICT') return false; // paused (or ended) already
      throw err;
    }
    deps.metrics.campaignAutoPaused.inc({ reason });
    deps.logger.error({ alert: 'campaign_auto_paused', campaignId: campaign._id, orgId: campaign.org_id, reason }, `campaign paused by the sender: ${detail}`);
    return true;
  }

  const processor: Processor<SendJob> = async (job) => {
    const data = job.data;
    if (data.kind === 'tick') {
      const active = await Campaign.find({ status: 'active' }, { _id: 1, org_id: 1 }).lean<{ _id: string; org_id: string }[]>();
      // One run per campaign at a time: a run still in progress (or waiting) keeps its id, so this add is a no-op.
      await Promise.all(active.map((c) => deps.queue.add('run', { kind: 'run', orgId: c.org_id, campaignId: c._id } satisfies SendJob, { jobId: `run-${c._id}`, removeOnComplete: true, removeOnFail: true })));
      return { campaigns: active.length };
    }
    return runCampaign(data.orgId, data.campaignId);
  };

  return {
    runCampaign,
    autoPause,
    processor,
    /** The repeating tick (idempotent: every worker process upserts the same scheduler). */
    async schedule(): Promise<void> {
      await deps.queue.upsertJobScheduler('campaign-tick', { every: deps.tickMs }, { name: 'tick', data: { kind: 'tick' } satisfies SendJob, opts: { removeOnComplete: true, removeOnFail: 100 } });
    },
  };
}
