import type { Redis } from 'ioredis';
import { conversationKey } from '../../whatsapp/normalize.js';
import { isServiceWindowOpen } from '../service-window.js';
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
 * Refuses the batch when any free-form message in it is outside its conversation's window, before
 * anything is queued (the send checks the window again: it may close while the message waits).
 * @throws {ServiceWindowClosedError}
 */
export async function assertWindowsOpen(redis: Redis, keyPrefix: string, items: OutboundItem[]): Promise<void> {
  for (const item of items) {
    const lane = conversationKey(item.phoneNumberId, item.to);
    if (isFreeForm(item) && !(await isServiceWindowOpen(redis, keyPrefix, lane))) throw new ServiceWindowClosedError(lane);
  }
}
