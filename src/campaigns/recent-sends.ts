import type { Redis } from 'ioredis';

/** How long a conversation is remembered as having had a campaign message: the longest look-back for one (an unquoted opt-out, 7 days). */
export const RECENT_CAMPAIGN_TTL_SECONDS = 7 * 86_400;

/**
 * Which conversations had a campaign message lately, kept in Redis: the sender marks the
 * conversation before it queues a step, and the per-message checks that look for a campaign message
 * before the user's (an unquoted reply, an unquoted opt-out word) ask here first, so the usual user
 * message — in a conversation no campaign wrote to — costs a Redis `EXISTS` instead of a MongoDB
 * query. A marker without a message (the enqueue failed) only costs that query.
 */
export interface RecentCampaignSends {
  mark(conversationKey: string): Promise<void>;
  /** False when no campaign message went to the conversation in the last {@link RECENT_CAMPAIGN_TTL_SECONDS}. */
  maybe(conversationKey: string): Promise<boolean>;
}

export function createRecentCampaignSends(redis: Redis, keyPrefix: string): RecentCampaignSends {
  const key = (conversationKey: string) => `${keyPrefix}:cmp:recent:${conversationKey}`;
  return {
    async mark(conversationKey) {
      await redis.set(key(conversationKey), '1', 'EX', RECENT_CAMPAIGN_TTL_SECONDS);
    },
    async maybe(conversationKey) {
      return (await redis.exists(key(conversationKey))) === 1;
    },
  };
}
