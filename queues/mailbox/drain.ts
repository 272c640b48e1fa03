import type { Logger } from '../../src/platform/logging/logger.js';
import type { Head, LaneProtocol } from './protocol.js';
import type { DrainOptions, HandlerContext, MailboxHandler, MailboxItem } from './types.js';

/** What drains a mailbox's lanes, set by `processor` and used by its BullMQ runs and inline drains alike. */
export interface DrainConfig<T extends MailboxItem> {
  handler: MailboxHandler<T>;
  logger: Logger;
  options: DrainOptions;
}

/** How a drain stopped: lane empty (released), fenced out, due for a hand-off, or its head item to retry later. */
export type DrainEnd = { end: 'empty' | 'not_owner' | 'handoff' } | { end: 'retry'; delayMs: number };

/**
 * Drains `lane` as run `token` of owner job `jobId`, the same for a BullMQ run and an inline
 * drain; the caller carries out how it ended. `stop` is asked before each further item. `claimed`
 * is the head a script already answered when it claimed the lane for `token` (the push that opened
 * it, an adoption); without it the drain claims the lane itself.
 */
export async function drainLane<T extends MailboxItem>(
  lanes: LaneProtocol,
  lane: string,
  jobId: string,
  token: string,
  config: DrainConfig<T>,
  stop: () => boolean,
  claimed?: Head,
): Promise<DrainEnd> {
  const { handler, logger, options } = config;
  const maxAttempts = options.maxAttempts ?? 8;
  const maxItems = options.maxItemsPerJob ?? 50;
  const baseBackoffMs = options.baseBackoffMs ?? 500;
  const claim = `${jobId}|${token}`;
  let head = claimed ?? (await lanes.head(lane, jobId, token));
  for (let done = 0; done < maxItems; done++) {
    if (head.kind !== 'item') return { end: head.kind };
    if (done > 0 && stop()) return { end: 'handoff' };
    const item = JSON.parse(head.item) as T;
    const attempt = head.failedAttempts + 1;
    let log: Logger | undefined;
    // Built on first use: most items never log, and a child logger per item is measurable at 1,000 msg/s.
    const ctx: HandlerContext = {
      lane,
      jobId,
      attempt,
      claim,
      get logger() {
        return (log ??= logger.child({ jobId, lane, itemId: item.id, attempt }));
      },
    };
    let deadEntry = '';
    try {
      const outcome = await handler(item, ctx);
      if (outcome?.retryAfterMs !== undefined) {
        await lanes.countAttempt(item.id);
        return { end: 'retry', delayMs: outcome.retryAfterMs };
      }
    } catch (err) {
      if (attempt < maxAttempts) {
        await lanes.countAttempt(item.id);
        ctx.logger.warn({ err }, 'mailbox item failed; retrying it before anything behind it');
        // Per-item backoff (not BullMQ's per-job attempts, which would grow across the items a job drains).
        return { end: 'retry', delayMs: Math.min(baseBackoffMs * 2 ** (attempt - 1), 60_000) };
      }
      ctx.logger.error({ err }, 'mailbox item failed too many times; moved to dead letters');
      options.onDeadLetter?.(item, lane, err);
      deadEntry = JSON.stringify({ lane, item, error: err instanceof Error ? err.message : String(err), at: new Date().toISOString() });
    }
    head = await lanes.advance(lane, claim, item.id, deadEntry);
  }
  return head.kind === 'item' ? { end: 'handoff' } : { end: head.kind };
}
