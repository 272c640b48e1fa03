/**
 * Campaign messages as the conversation log keeps them: the sender logs each step with its
 * `campaignId`, `enrollmentId` and `campaignStep` and the log attaches the wamid once Graph accepts
 * it, so a status webhook's id or a reply's `context.id` leads back to the enrollment.
 */
import type { MessageModel } from '../conversations/message-log.js';

/** A campaign step the conversation log holds, sent (accepted by Graph) to `waId`. */
export interface CampaignMessageRef {
  wamid: string;
  waId: string;
  phoneNumberId: string;
  campaignId: string;
  enrollmentId: string;
  step: number;
  /** When it was queued. */
  at: Date;
}

export interface CampaignMessages {
  /** The campaign message with this wamid, or null (unknown, or not a campaign message). */
  byWamid(wamid: string): Promise<CampaignMessageRef | null>;
  /**
   * The last message Puente sent in the conversation (accepted by Graph, not failed) at or before
   * `at`, when it is a campaign message; null when it is anything else or there is none.
   */
  lastSentBefore(conversationKey: string, at: Date): Promise<CampaignMessageRef | null>;
}

const PROJECTION = { _id: 0, wamid: 1, waId: 1, phoneNumberId: 1, campaignId: 1, enrollmentId: 1, campaignStep: 1, at: 1 } as const;

function toRef(doc: Record<string, unknown> | null): CampaignMessageRef | null {
  if (!doc || typeof doc.campaignId !== 'string' || typeof doc.enrollmentId !== 'string' || typeof doc.wamid !== 'string') return null;
  return { wamid: doc.wamid, waId: String(doc.waId), phoneNumberId: String(doc.phoneNumberId), campaignId: doc.campaignId, enrollmentId: doc.enrollmentId, step: Number(doc.campaignStep ?? 0), at: doc.at as Date };
}

/** Reads campaign messages from the conversation log's collection (read-only; indexes `wamid` and `conversationKey, at`). */
export function campaignMessagesFrom(model: MessageModel): CampaignMessages {
  const messages = model.collection;
  return {
    async byWamid(wamid) {
      return toRef(await messages.findOne({ wamid }, { projection: PROJECTION }));
    },
    async lastSentBefore(conversationKey, at) {
      const last = await messages.findOne(
        { conversationKey, direction: 'outbound', at: { $lte: at }, wamid: { $type: 'string' }, status: { $ne: 'failed' } },
        { projection: PROJECTION, sort: { at: -1 } },
      );
      return toRef(last);
    },
  };
}
