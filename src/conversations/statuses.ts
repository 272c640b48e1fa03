import type { Processor } from 'bullmq';
import type { ConversationLog } from './conversation-log.js';
import type { StatusEvent } from '../whatsapp/webhook-events.js';

/**
 * Applies one status webhook to the conversation log. No lane needed: the log only moves a
 * status forward, so arrival order does not matter. A status for a message whose send has not
 * been logged yet throws, and BullMQ retries it with backoff.
 */
export function statusProcessor(log: ConversationLog): Processor<StatusEvent> {
  return async (job) => {
    const status = job.data;
    const error = status.errors[0];
    await log.applyStatus({
      wamid: status.wamid,
      status: status.status,
      at: new Date(status.timestamp * 1000),
      ...(error ? { error: { code: error.code, title: error.title, message: error.message, details: error.details } } : {}),
    });
  };
}
