import type { OutboundDeps, OutboundItem } from './types.js';

export type Failures = ReturnType<typeof createFailures>;

/** Reports sends that will not happen: counted by code, and the message's log entry marked failed. */
export function createFailures(deps: Pick<OutboundDeps, 'metrics' | 'log'>) {
  async function fail(item: OutboundItem, code: number | string, title?: string, message?: string): Promise<void> {
    deps.metrics.whatsappSendFailures.inc({ code: String(code) });
    if (item.payload.kind === 'message') await deps.log.markFailed(item.id, { code, ...(title ? { title } : {}), ...(message ? { message } : {}) });
  }

  return {
    fail,
    /** Called by the mailbox when a transient failure outlasted every retry. */
    onDeadLetter(item: OutboundItem, error: unknown): void {
      void fail(item, 'RETRIES_EXHAUSTED', 'Gave up after repeated transient failures', error instanceof Error ? error.message : String(error));
    },
  };
}
