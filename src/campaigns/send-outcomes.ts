/**
 * Meta's refusals of campaign sends, by code (docs/campaigns.md, "Meta's answers"). They come two
 * ways: synchronously (Graph's error, through the outbound path's permanent-failure listener) and
 * asynchronously (a `failed` status webhook, through the pipeline's status observer port); both
 * land in {@link SendOutcomes.failed}.
 *
 * - 131056 (pair rate limit): the outbound lane defers the recipient (4^n s); if it gives up, the
 *   step is recorded on the enrollment (`last_error`) and the enrollment goes on: not a failure of
 *   the campaign, not a bounce.
 * - 131026, 131049, 131050 (undeliverable, ecosystem limit, user stopped marketing): the enrollment
 *   is `bounced` (`exit_reason: bounced`, `bounced_at`, `last_error`); the campaign moves on.
 * - Quality, policy and template signals (131048 spam rate limit, 368 policy block, 131031 account
 *   locked, 132000/132001/132012 template missing or mismatched, 132015/132016 template paused or
 *   disabled): the campaign is paused (status_history by `sender` with the reason,
 *   `campaign.paused`, `puente_campaign_auto_paused_total{reason}`).
 * - Anything else: recorded on the enrollment (`last_error`), which goes on.
 */
import type { Connection } from 'mongoose';
import type { ConversationLog } from '../conversations/conversation-log.js';
import type { SendFailure } from '../conversations/outbound.js';
import type { StatusObserver } from '../conversations/ports.js';
import type { Metrics } from '../platform/metrics/registry.js';
import { campaignModels } from './models.js';
import type { Sender } from './sender.js';

export const PAIR_RATE_CODE = 131056;
export const BOUNCE_CODES: ReadonlySet<number> = new Set([131026, 131049, 131050]);
/** Meta's signals that every further send of the campaign would hurt the number or fail the same way. */
export const AUTO_PAUSE_CODES: ReadonlyMap<number, string> = new Map([
  [131048, 'spam rate limit hit: messages were blocked or reported; check the number’s quality rating'],
  [368, 'temporarily blocked for policy violations'],
  [131031, 'business account locked'],
  [132000, 'template parameter count mismatch'],
  [132001, 'template does not exist or is not approved in that language'],
  [132012, 'template parameter format mismatch'],
  [132015, 'template paused for low quality'],
  [132016, 'template disabled'],
]);

export interface CampaignSendFailure {
  enrollmentId: string;
  code: number | string;
  title?: string | undefined;
  at: Date;
}

export type SendOutcomes = ReturnType<typeof createSendOutcomes>;

export function createSendOutcomes(deps: { connection: Connection; log: Pick<ConversationLog, 'model'>; sender: Pick<Sender, 'autoPause'>; metrics: Metrics }) {
  const { Enrollment } = campaignModels(deps.connection);

  async function failed(failure: CampaignSendFailure): Promise<void> {
    const code = Number(failure.code);
    const lastError = { code: String(failure.code), title: failure.title ?? null, at: failure.at };
    const enr = await Enrollment.findOne({ _id: failure.enrollmentId }, { org_id: 1, campaign_id: 1, status: 1 }).lean<{ org_id: string; campaign_id: string; status: string }>();
    if (!enr) return;
    if (code === PAIR_RATE_CODE) {
      deps.metrics.campaignSendErrors.inc({ code: String(code), action: 'deferred' });
      await Enrollment.updateOne({ _id: failure.enrollmentId }, { $set: { last_error: lastError, updated_at: new Date() } });
      return;
    }
    if (BOUNCE_CODES.has(code)) {
      deps.metrics.campaignSendErrors.inc({ code: String(code), action: 'bounced' });
      await Enrollment.updateOne(
        { _id: failure.enrollmentId, status: { $nin: ['bounced', 'unsubscribed'] } },
        { $set: { status: 'bounced', exit_reason: 'bounced', bounced_at: failure.at, last_error: lastError, updated_at: new Date() }, $unset: { next_step_at: '' } },
      );
      return;
    }
    await Enrollment.updateOne({ _id: failure.enrollmentId }, { $set: { last_error: lastError, updated_at: new Date() } });
    const pause = AUTO_PAUSE_CODES.get(code);
    if (pause) {
      deps.metrics.campaignSendErrors.inc({ code: String(code), action: 'paused' });
      await deps.sender.autoPause({ org_id: enr.org_id, _id: enr.campaign_id }, String(code), `Meta error ${code} (${failure.title ?? pause}): ${pause}`);
      return;
    }
    deps.metrics.campaignSendErrors.inc({ code: String(failure.code), action: 'recorded' });
  }

  return {
    failed,
    /** For Outbound.onPermanentFailure: a campaign send Graph refused (or the lane gave up on). */
    async onSendFailure({ item, code, title }: SendFailure): Promise<void> {
      if (!item.campaign) return;
      await failed({ enrollmentId: item.campaign.enrollmentId, code, title, at: new Date() });
    },
    /** The `failed` statuses of campaign messages (the receiving side handles sent/delivered/read). */
    statusObserver: (async (status) => {
      if (status.status !== 'failed') return;
      const message = await deps.log.model.findOne({ wamid: status.wamid }, { enrollmentId: 1 }).lean<{ enrollmentId?: string }>();
      if (!message?.enrollmentId) return;
      const error = status.errors[0];
      await failed({ enrollmentId: message.enrollmentId, code: error?.code ?? 'unknown', title: error?.title, at: new Date(status.timestamp * 1000) });
    }) satisfies StatusObserver,
  };
}
