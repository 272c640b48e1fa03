import { describeOutbound } from '../../whatsapp/messages.js';
import { conversationKey } from '../../whatsapp/normalize.js';
import type { Receipts } from './receipts.js';
import { isReceipt, type OutboundDeps, type OutboundItem } from './types.js';
import { assertWindowsOpen, type KnownWindow } from './window.js';

/**
 * Queues sends in order on each recipient's lane and logs them as `queued`; read receipts go to
 * their own queue. Free-form messages outside the service window are refused before anything is
 * queued (`window`: a user message being answered, which proves its conversation's window open).
 * @throws {ServiceWindowClosedError}
 */
export function enqueuer(deps: Pick<OutboundDeps, 'redis' | 'keyPrefix' | 'mailbox' | 'log'>, receipts: Receipts) {
  return async function enqueue(all: OutboundItem[], options: { window?: KnownWindow } = {}): Promise<void> {
    const receiptItems = all.filter(isReceipt);
    const items = all.filter((item) => !isReceipt(item));
    if (receiptItems.length > 0) await receipts.enqueue(receiptItems);
    await assertWindowsOpen(deps.redis, deps.keyPrefix, items, options.window);
    await Promise.all(
      items.flatMap((item) =>
        item.payload.kind === 'message'
          ? [
              deps.log.logQueued({
                outboundId: item.id,
                conversationKey: conversationKey(item.phoneNumberId, item.to),
                phoneNumberId: item.phoneNumberId,
                waId: item.to,
                direction: 'outbound',
                author: item.author,
                type: item.payload.message.type,
                text: describeOutbound(item.payload.message),
                ticketId: item.ticketId,
                ...(item.campaign ? { campaignId: item.campaign.campaignId, enrollmentId: item.campaign.enrollmentId, campaignStep: item.campaign.step } : {}),
                at: new Date(item.createdAt),
              }),
            ]
          : [],
      ),
    );
    await deps.mailbox.push(
      items.map((item) => ({
        lane: conversationKey(item.phoneNumberId, item.to),
        item,
        dedupeKey: `out:${item.id}`,
        dedupeTtlSeconds: 86_400,
      })),
    );
  };
}
