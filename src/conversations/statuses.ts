import type { Processor } from 'bullmq';
import type { Metrics } from '../platform/metrics/registry.js';
import { MessageNotLoggedError, type ConversationLog } from './conversation-log.js';
import type { Logger } from '../platform/logging/logger.js';
import type { StatusEvent } from '../whatsapp/webhook-events.js';
import type { StatusObserver } from './ports.js';

/**
 * How long a status may wait for its message's log write (a send still finishing). Past it the
 * message is taken for one Puente never sent — the same number used by another app or by the CRM
 * directly — and the status is dropped and counted, instead of being retried for minutes.
 */
export const UNKNOWN_STATUS_WAIT_MS = 15_000;

/**
 * Applies one status webhook to the conversation log. No lane needed: the log only moves a
 * status forward, so arrival order does not matter. A status for a message whose send has not
 * been logged yet throws, and BullMQ retries it with backoff for up to {@link UNKNOWN_STATUS_WAIT_MS};
 * after that it is dropped and counted. Observers hear of a status once it is logged.
 */
export function statusProcessor(log: ConversationLog, observers: readonly StatusObserver[] = [], logger?: Logger, metrics?: Pick<Metrics, 'statusesDropped'>, now: () => number = Date.now): Processor<StatusEvent> {
  return async (job) => {
    const status = job.data;
    const error = status.errors[0];
    try {
      await apply(status, error);
    } catch (err) {
      if (!(err instanceof MessageNotLoggedError) || now() - job.timestamp < UNKNOWN_STATUS_WAIT_MS) throw err;
      metrics?.statusesDropped.inc({ reason: 'unknown_message' });
      logger?.info({ wamid: status.wamid, status: status.status }, 'status for a message Puente did not send: dropped');
      return { dropped: 'unknown_message' };
    }
    await Promise.all(observers.map((observe) => observe(status).catch((err: unknown) => logger?.warn({ err, wamid: status.wamid }, 'a status observer failed'))));
    return undefined;
  };

  async function apply(status: StatusEvent, error: StatusEvent['errors'][number] | undefined): Promise<void> {
    await log.applyStatus({
      wamid: status.wamid,
      status: status.status,
      at: new Date(status.timestamp * 1000),
      phoneNumberId: status.phoneNumberId,
      ...(status.recipientId ? { recipient: status.recipientId } : {}),
      ...(error ? { error: { code: error.code, title: error.title, message: error.message, details: error.details } } : {}),
    });
  }
}
