import type { OutboundDeps, OutboundItem } from './types.js';

export type Failures = ReturnType<typeof createFailures>;

/** A message that will never reach the user: what was refused and why. */
export interface SendFailure {
  item: OutboundItem;
  code: number | string;
  title?: string;
}

/** Told about every message given up for good (e.g. the CRM bridge tells the CRM about an agent's). Must not throw. */
export type SendFailureListener = (failure: SendFailure) => Promise<void>;

/**
 * Reports sends that will not happen: counted by code, the message's log entry marked failed, and
 * the listeners told — once per message, never retried.
 */
export function createFailures(deps: Pick<OutboundDeps, 'metrics' | 'log' | 'logger'>) {
  const listeners: SendFailureListener[] = [];
  async function fail(item: OutboundItem, code: number | string, title?: string, message?: string): Promise<void> {
    deps.metrics.whatsappSendFailures.inc({ code: String(code) });
    if (item.payload.kind !== 'message') return;
    await deps.log.markFailed(item.id, { code, ...(title ? { title } : {}), ...(message ? { message } : {}) });
    for (const listener of listeners) await listener({ item, code, ...(title ? { title } : {}) }).catch((err: unknown) => deps.logger.warn({ err, outboundId: item.id }, 'a send-failure listener failed'));
  }

  return {
    fail,
    listen(listener: SendFailureListener): void {
      listeners.push(listener);
    },
    /** Called by the mailbox when a transient failure outlasted every retry. */
    onDeadLetter(item: OutboundItem, error: unknown): void {
      void fail(item, 'RETRIES_EXHAUSTED', 'Gave up after repeated transient failures', error instanceof Error ? error.message : String(error));
    },
  };
}
