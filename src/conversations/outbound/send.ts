import type { HandlerOutcome, MailboxHandler } from '../../../queues/mailbox.js';
import { GraphApiError, GraphNetworkError } from '../../whatsapp/graph-errors.js';
import type { Failures } from './failures.js';
import type { Receipts } from './receipts.js';
import type { SendClaims } from './send-claims.js';
import type { OutboundDeps, OutboundItem } from './types.js';

/** How many times a pair-rate-limited (131056) message is deferred before it is given up. */
const MAX_RECIPIENT_DEFERRALS = 6;
/** Network errors that mean the request never reached Graph. */
const NEVER_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A reply's slot of the number; a campaign step's slot of its campaign's rate, then a free slot of the number (low priority). */
async function slot(pacer: OutboundDeps['pacer'], item: OutboundItem): Promise<void> {
  if (!item.campaign) return pacer.acquire(item.phoneNumberId);
  if (item.campaign.rate) await pacer.acquireCampaign(item.campaign.campaignId, item.campaign.rate);
  return pacer.acquire(item.phoneNumberId, 'low');
}

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
    // reserved for a send that then does not go is merely left unused. A campaign step takes only a
    // slot no reply is waiting for (low priority, pacer.ts).
    const [verdict] = await Promise.all([claims.begin(item, ctx), slot(deps.pacer, item)]);
    if (verdict === 'sent') return; // accepted by Graph before a crash
    if (verdict === 'busy') return { retryAfterMs: 1_000 };
    if (verdict === 'closed') {
      ctx.logger.warn('service window closed while the message waited; not sent');
      return failures.fail(item, 'CUSTOMER_SERVICE_WINDOW_CLOSED', 'Customer service window closed');
    }
    // A campaign step goes at most once: if an earlier attempt may have reached Meta (its worker
    // died mid-request, or Graph timed out), it is not sent again — a lost marketing message is
    // better than a duplicate one. Replies keep at-least-once.
    const atMostOnce = item.campaign !== undefined;
    if (atMostOnce && !(await claims.firstAttempt(item))) {
      ctx.logger.warn('campaign step: an earlier attempt may have reached Meta; not sent again');
      await claims.end(item, ctx, '');
      return failures.fail(item, 'SEND_UNCERTAIN', 'An earlier attempt was cut off mid-send; campaign steps are sent at most once');
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
      if (item.campaign) deps.metrics.campaignSends.inc({ result: 'accepted' });
      await Promise.all([claims.end(item, ctx, wamid), deps.log.markAccepted(item.id, wamid, new Date(), item.phoneNumberId)]);
    } catch (err) {
      if (!(err instanceof GraphApiError || err instanceof GraphNetworkError)) throw err;
      // Meta answered (not accepted), or the request never left: a retry may send it.
      if (atMostOnce && (err instanceof GraphApiError || NEVER_SENT.has(err.code ?? ''))) await claims.clearAttempt(item);
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
