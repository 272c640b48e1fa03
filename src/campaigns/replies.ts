/**
 * Replies to campaign messages (the conversation pipeline's InboundObserver, after the turn): a
 * user's message that answers a campaign message sets the enrollment's `replied_at` (the first
 * reply, `$min`) and records the step's `message_replied` activity.
 *
 * What answers a campaign message (docs/campaigns.md, "Replies"):
 * - a message quoting it: WhatsApp's `context.id` is its wamid (a swipe-reply, or a tap on one of
 *   the template's quick-reply buttons);
 * - a message without `context` when the last message Puente sent in the conversation before it
 *   is a campaign message from the last {@link REPLY_WINDOW_MS} (24 hours, the customer-service
 *   window the template opened): most users just type their answer. Once the bot or an agent
 *   has answered, later messages belong to that conversation, not the campaign.
 * Reactions do not count, and neither does an opt-out keyword (an exit, counted as such).
 *
 * The lead's engagement score needs nothing more: every message the user writes is an inbound
 * message of the conversation log, and the leads' observer rescores the user's leads on each one
 * (engagement's `replies` signal counts them), campaign replies included.
 */
import type { Connection } from 'mongoose';
import type { InboundObserver } from '../conversations/ports.js';
import type { Logger } from '../platform/logging/logger.js';
import { conversationKey } from '../whatsapp/normalize.js';
import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { ActivityLog } from './activity-log.js';
import type { CampaignMessageRef, CampaignMessages } from './campaign-messages.js';
import { campaignModels } from './models.js';
import { isOptOutPhrase, keywordText } from './opt-out.js';
import type { RecentCampaignSends } from './recent-sends.js';

/** How long after a campaign message an unquoted message still answers it. */
export const REPLY_WINDOW_MS = 24 * 3_600_000;

export function createReplyTracking(deps: { connection: Connection; messages: CampaignMessages; activities: ActivityLog; logger: Logger; recent?: RecentCampaignSends; now?: () => Date }): { observer: InboundObserver; answered(event: InboundEvent): Promise<CampaignMessageRef | null>; apply(event: InboundEvent): Promise<boolean> } {
  const { Enrollment } = campaignModels(deps.connection);
  const now = deps.now ?? (() => new Date());

  /** The campaign message `event` answers, or null. */
  async function answered(event: InboundEvent): Promise<CampaignMessageRef | null> {
    if (event.type === 'reaction') return null;
    const at = new Date(event.timestamp * 1000);
    if (event.context?.id) {
      const quoted = await deps.messages.byWamid(event.context.id);
      return quoted && quoted.waId === event.waId ? quoted : null;
    }
    const key = conversationKey(event.phoneNumberId, event.waId);
    // Most messages come from conversations no campaign wrote to lately: one EXISTS says so.
    if (deps.recent && !(await deps.recent.maybe(key))) return null;
    const last = await deps.messages.lastSentBefore(key, at);
    return last && last.waId === event.waId && at.getTime() - last.at.getTime() <= REPLY_WINDOW_MS ? last : null;
  }

  async function apply(event: InboundEvent): Promise<boolean> {
    if (isOptOutPhrase(keywordText(event))) return false;
    const message = await answered(event);
    if (!message) return false;
    const at = new Date(event.timestamp * 1000);
    const enrollment = await Enrollment.collection.findOneAndUpdate(
      { _id: message.enrollmentId as never, campaign_id: message.campaignId },
      { $min: { replied_at: at }, $set: { updated_at: now() } },
      { projection: { org_id: 1, contact_id: 1 } },
    );
    if (!enrollment) return false;
    await deps.activities.record([
      { org_id: String(enrollment.org_id), campaign_id: message.campaignId, enrollment_id: message.enrollmentId, contact_id: String(enrollment.contact_id), step: message.step, type: 'message_replied', at, wamid: event.wamid },
    ]);
    return true;
  }

  return {
    answered,
    apply,
    observer: (event) => apply(event).catch((err: unknown) => deps.logger.warn({ err, wamid: event.wamid }, 'could not attribute a reply to its campaign')),
  };
}
