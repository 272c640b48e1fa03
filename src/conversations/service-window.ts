import type { Redis } from 'ioredis';

/** WhatsApp's customer-service window: free-form messages are allowed this long after the user's last message. */
export const SERVICE_WINDOW_SECONDS = 24 * 3600;

/** Redis key holding the unix time (s) of a conversation's last inbound message. */
export function windowKey(keyPrefix: string, conversationKey: string): string {
  return `${keyPrefix}:win:${conversationKey}`;
}

/** TTL of the window key: the window itself plus a margin, so a just-expired window still reads as "closed at …". */
export const WINDOW_KEY_TTL_SECONDS = SERVICE_WINDOW_SECONDS + 3600;

/**
 * Whether a free-form message may be sent now. Uses Meta's message timestamp, which Meta measures
 * the window from (docs/whatsapp-cloud-api.md). The outbound lane applies the same rule inside its
 * pre-send script (`src/conversations/outbound/begin-send.lua`).
 */
export async function isServiceWindowOpen(redis: Redis, keyPrefix: string, conversationKey: string, nowSeconds = Date.now() / 1000): Promise<boolean> {
  const last = Number(await redis.get(windowKey(keyPrefix, conversationKey)));
  return last > 0 && nowSeconds - last < SERVICE_WINDOW_SECONDS;
}
