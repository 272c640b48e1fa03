import type { HandlerOutcome, MailboxHandler } from '../../../queues/mailbox.js';
import { GraphApiError, GraphNetworkError } from '../../whatsapp/graph-errors.js';
import type { Failures } from './failures.js';
import type { Receipts } from './receipts.js';
import type { SendClaims } from './send-claims.js';
import type { OutboundDeps, OutboundItem } from './types.js';

/** How many times a pair-rate-limited (131056) message is deferred before it is given up. */
const MAX_RECIPIENT_DEFERRALS = 6;

/** The outbound lanes' handler: sends one message; the lane guarantees this recipient's previous send has been answered. */
export function sendHandler(
  deps: Pick<OutboundDeps, 'graph' | 'pacer' | 'log' | 'metrics'>,
  claims: SendClaims,
  receipts: Receipts,
  failures: Failures,
): MailboxHandler<OutboundItem> {
  return async (item, ctx): Promise<HandlerOutcome | void> => {
    const { payload } = item;
    if (payload.kind !== 'message') return; // receipts never enter the lane (see enqueue)
    // The pacer slot is reserved in the same round trip as the checks (auto-pipelined); a slot
    // reserved for a send that then does not go is merely left unused.
    const [verdict] = await Promise.all([claims.begin(item, ctx), deps.pacer.acquire(item.phoneNumberId)]);
    if (verdict === 'sent') return; // accepted by Graph before a crash
    if (verdict === 'busy') return { retryAfterMs: 1_000 };
    if (verdict === 'closed') {
      ctx.logger.warn('service window closed while the message waited; not sent');
      return failures.fail(item, 'CUSTOMER_SERVICE_WINDOW_CLOSED', 'Customer service window closed');
    }
    // A receipt riding with this send goes out once, with the first try, and never fails the send.
    // Only messages are paced (above): WHATSAPP_MAX_MPS is Meta's messages-per-second throughput,
    // and a read receipt is a status update on an inbound message, at most one per message received.
    const receipt = item.alsoMarkRead !== undefined && ctx.attempt === 1 ? item.alsoMarkRead : undefined;
    let wamid = '';
    try {
      const [result] = await Promise.all([
        deps.graph.sendMessage(payload.message, { phoneNumberId: item.phoneNumberId, attempt: ctx.attempt - 1 }),
        // Must never reject: the send's outcome alone decides whether it is retried.
        receipt
          ? receipts.markRead(item.phoneNumberId, receipt, false, ctx.jobId).catch((err: unknown) => ctx.logger.warn({ err }, 'read receipt failed; dropped'))
          : undefined,
      ]);
      wamid = result.wamid;
      deps.metrics.whatsappSends.inc({ result: 'accepted' });
      await Promise.all([claims.end(item, ctx, wamid), deps.log.markAccepted(item.id, wamid, new Date(), item.phoneNumberId)]);
    } catch (err) {
      if (!(err instanceof GraphApiError || err instanceof GraphNetworkError)) throw err;
      const verdict = err.classification;
      if (verdict.alert === 'token') {
        deps.metrics.whatsappTokenErrors.inc();
        ctx.logger.fatal({ alert: 'whatsapp_token', code: verdict.code }, 'WhatsApp access token rejected: rotate WHATSAPP_ACCESS_TOKEN');
      }
      if (verdict.kind === 'retry') {
        deps.metrics.whatsappSends.inc({ result: 'retried' });
        throw err; // the mailbox backs off and retries this item before anything behind it
      }
      if (verdict.kind === 'recipient_backoff' && ctx.attempt <= MAX_RECIPIENT_DEFERRALS) {
        deps.metrics.whatsappSends.inc({ result: 'deferred' });
        return { retryAfterMs: verdict.retryAfterMs ?? 4 ** ctx.attempt * 1000 };
      }
      deps.metrics.whatsappSends.inc({ result: 'failed' });
      ctx.logger.error({ code: verdict.code, title: verdict.title }, 'message not sent: Meta refused it for good');
      await failures.fail(item, verdict.code ?? 'unknown', verdict.title, verdict.message);
    } finally {
      if (!wamid) await claims.end(item, ctx, '');
    }
  };
}
