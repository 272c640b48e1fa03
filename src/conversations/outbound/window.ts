import type { Redis } from 'ioredis';
import { conversationKey } from '../../whatsapp/normalize.js';
import { isServiceWindowOpen, SERVICE_WINDOW_SECONDS } from '../service-window.js';
import { isFreeForm, type OutboundItem } from './types.js';

/** A free-form send was refused because the user's last message is over 24 h old; send a template instead. */
export class ServiceWindowClosedError extends Error {
  readonly code = 'CUSTOMER_SERVICE_WINDOW_CLOSED';
  constructor(readonly conversation: string) {
    super('The 24-hour customer service window is closed; only a template can be sent');
    this.name = 'ServiceWindowClosedError';
  }
}

/**
 * A user message the caller is answering: its conversation's window is open for 24 h from Meta's
 * timestamp of it, whatever Redis says (its key holds the latest message's time, never an older one).
 */
export interface KnownWindow {
  conversationKey: string;
  /** Meta's timestamp (unix seconds) of a message the user wrote in that conversation. */
  userWroteAt: number;
}

/**
 * Refuses the batch when any free-form message in it is outside its conversation's window, before
 * anything is queued (the send checks the window again: it may close while the message waits).
 * A conversation in `known` whose window is open by it is not read from Redis: a reply to the
 * message being handled costs no round trip here.
 * @throws {ServiceWindowClosedError}
 */
export async function assertWindowsOpen(redis: Redis, keyPrefix: string, items: OutboundItem[], known?: KnownWindow, nowSeconds = Date.now() / 1000): Promise<void> {
  const openByKnown = known !== undefined && nowSeconds - known.userWroteAt < SERVICE_WINDOW_SECONDS;
  const checked = new Set<string>();
  for (const item of items) {
    if (!isFreeForm(item)) continue;
    const lane = conversationKey(item.phoneNumberId, item.to);
    if (checked.has(lane) || (openByKnown && lane === known.conversationKey)) continue;
    if (!(await isServiceWindowOpen(redis, keyPrefix, lane, nowSeconds))) throw new ServiceWindowClosedError(lane);
    checked.add(lane);
  }
}
