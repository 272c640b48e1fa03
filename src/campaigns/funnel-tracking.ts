/**
 * The per-recipient funnel from WhatsApp's status webhooks (the conversation pipeline's
 * StatusObserver): a status of a campaign message (found by its wamid in the conversation log)
 * sets the enrollment's `sent_at`, `delivered_at`, `read_at` — each the first time it is reached
 * (`$min`) — and records the step's activities.
 *
 * Meta delivers statuses at least once and in no particular order, and skips `delivered` when a
 * message is read at once: a later point implies the earlier ones (a `read` sets `delivered_at`
 * and `sent_at` too, at its own time, lowered later by an earlier report), and every write is a
 * `$min` or an upsert keyed by (enrollment, step, kind), so a status delivered twice changes
 * nothing the second time. `failed` is recorded as the step's `message_failed` activity; what a
 * failure does to the enrollment (bounce, auto-pause) is the sender's.
 */
import type { Connection } from 'mongoose';
import type { StatusObserver } from '../conversations/ports.js';
import type { Logger } from '../platform/logging/logger.js';
import type { StatusEvent } from '../whatsapp/webhook-events.js';
import type { ActivityLog, StepActivityType } from './activity-log.js';
import type { CampaignMessages } from './campaign-messages.js';
import type { FunnelField } from './enrollments.js';
import { campaignModels } from './models.js';

/** What each status means for the enrollment's funnel and the step's activities (earlier points implied). */
const IMPLIED: Partial<Record<string, { fields: FunnelField[]; activities: StepActivityType[] }>> = {
  sent: { fields: ['sent_at'], activities: ['message_sent'] },
  delivered: { fields: ['sent_at', 'delivered_at'], activities: ['message_sent', 'message_delivered'] },
  read: { fields: ['sent_at', 'delivered_at', 'read_at'], activities: ['message_sent', 'message_delivered', 'message_read'] },
  failed: { fields: [], activities: ['message_failed'] },
};

export function createFunnelTracking(deps: { connection: Connection; messages: CampaignMessages; activities: ActivityLog; logger: Logger; now?: () => Date }): { observer: StatusObserver; apply(status: StatusEvent): Promise<boolean> } {
  const { Enrollment } = campaignModels(deps.connection);
  const now = deps.now ?? (() => new Date());

  /** Applies one status; false when it is not about a campaign message. */
  async function apply(status: StatusEvent): Promise<boolean> {
    const plan = IMPLIED[status.status];
    if (!plan) return false;
    // Replies to a user carry the user's message id as biz_opaque_callback_data (conversations/replies.ts),
    // which Meta echoes: most statuses are theirs and cost no look-up. Campaign sends carry none.
    if (status.bizOpaqueCallbackData?.startsWith('wamid.')) return false;
    const message = await deps.messages.byWamid(status.wamid);
    if (!message) return false;
    const at = new Date(status.timestamp * 1000);
    const filter = { _id: message.enrollmentId as never, campaign_id: message.campaignId };
    const projection = { org_id: 1, contact_id: 1 };
    const enrollment = plan.fields.length
      ? await Enrollment.collection.findOneAndUpdate(filter, { $min: Object.fromEntries(plan.fields.map((f) => [f, at])), $set: { updated_at: now() } }, { projection })
      : await Enrollment.collection.findOne(filter, { projection });
    if (!enrollment) return false; // the contact (and its enrollment) was deleted since
    const error = status.errors[0];
    await deps.activities.record(
      plan.activities.map((type) => ({
        org_id: String(enrollment.org_id),
        campaign_id: message.campaignId,
        enrollment_id: message.enrollmentId,
        contact_id: String(enrollment.contact_id),
        step: message.step,
        type,
        at,
        wamid: message.wamid,
        ...(type === 'message_failed' && error ? { detail: [error.code, error.title].filter(Boolean).join(' ') } : {}),
      })),
    );
    return true;
  }

  return {
    apply,
    observer: (status) => apply(status).catch((err: unknown) => deps.logger.warn({ err, wamid: status.wamid, status: status.status }, 'could not record a campaign message status in the funnel')),
  };
}
