import type { ActivityMessage } from '../conversations/conversation-log.js';

/**
 * What the leads module asks of the rest of Puente, wired by the composition root: the scores are
 * computed from what the conversation log and the tickets saw of the contact on WhatsApp.
 */
export interface LeadActivitySources {
  /** The user's messages (both ways) on every number since `since`, newest first, at most `limit`; `ever`: the user has written at all. */
  activityOf(waId: string, since: Date, limit: number): Promise<{ ever: boolean; messages: ActivityMessage[] }>;
  /** Tickets of these conversations closed as resolved by an agent since `since`. */
  countResolvedSince(conversationKeys: readonly string[], since: Date): Promise<number>;
  /** The organization that owns a business number. */
  orgForNumber(phoneNumberId: string): Promise<string>;
}
