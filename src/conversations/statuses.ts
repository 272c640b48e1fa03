import type { Processor } from 'bullmq';
import type { ConversationLog } from './conversation-log.js';
import type { Logger } from '../platform/logging/logger.js';
import type { StatusEvent } from '../whatsapp/webhook-events.js';
import type { StatusObserver } from './ports.js';

/**
 * Applies one status webhook to the conversation log. No lane needed: the log only moves a
 * status forward, so arrival order does not matter. A status for a message whose send has not
 * been logged yet throws, and BullMQ retries it with backoff. Observers hear of it once it is logged.
 */
export function statusProcessor(log: ConversationLog, observers: readonly StatusObserver[] = [], logger?: Logger): Processor<StatusEvent> {
  return async (job) => {
    const status = job.data;
    const error = status.errors[0];
    await log.applyStatus({
      wamid: status.wamid,
      status: status.status,
      at: new Date(status.timestamp * 1000),
      ...(error ? { error: { code: error.code, title: error.title, message: error.message, details: error.details } } : {}),
    });
    await Promise.all(observers.map((observe) => observe(status).catch((err: unknown) => logger?.warn({ err, wamid: status.wamid }, 'a status observer failed'))));
  };
}
