import type { Processor, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { defineScript } from '../platform/redis/script.js';
import type { ConversationLog } from './conversation-log.js';
import type { Author } from './message-log.js';
import { isServiceWindowOpen, SERVICE_WINDOW_SECONDS, windowKey } from './service-window.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { GraphClient } from '../whatsapp/graph-client.js';
import { GraphApiError, GraphNetworkError } from '../whatsapp/graph-errors.js';
import { describeOutbound } from '../whatsapp/messages.js';
import type { OutboundMessage } from '../whatsapp/outbound-types.js';
import { conversationKey } from '../whatsapp/normalize.js';
import type { HandlerOutcome, Mailbox, MailboxHandler } from '../../queues/mailbox.js';
import type { Pacer } from '../whatsapp/pacer.js';
import { addJobs } from '../../queues/registry.js';

export type OutboundPayload =
  /** `freeForm` is false only for templates, the one kind allowed outside the 24 h window. */
  | { kind: 'message'; message: OutboundMessage; freeForm: boolean }
  | { kind: 'mark_read'; wamid: string; typing: boolean };

/** One send, queued in the recipient's outbound lane. */
export interface OutboundItem {
  /** Deterministic (derived from what produced it), so a re-processed lane item cannot send twice. */
  id: string;
  phoneNumberId: string;
  to: string;
  payload: OutboundPayload;
  author: Author;
  ticketId?: string;
  createdAt: number;
  /** A user message to mark read alongside this send (saves the receipt a job of its own). */
  alsoMarkRead?: string;
}

/** A read receipt to send (never queued in a lane). */
type ReceiptItem = OutboundItem & { payload: Extract<OutboundPayload, { kind: 'mark_read' }> };
const isReceipt = (item: OutboundItem): item is ReceiptItem => item.payload.kind === 'mark_read';

/** A free-form send was refused because the user's last message is over 24 h old; send a template instead. */
export class ServiceWindowClosedError extends Error {
  readonly code = 'CUSTOMER_SERVICE_WINDOW_CLOSED';
  constructor(readonly conversation: string) {
    super('The 24-hour customer service window is closed; only a template can be sent');
    this.name = 'ServiceWindowClosedError';
  }
}

/**
 * How long a send in progress keeps its claim: the Graph client's timeout plus a margin. A worker
 * that died mid-send releases the message to the next one after this.
 */
const IN_FLIGHT_MS = 20_000;

/** How long a send accepted by Graph is remembered, so a re-processed item is not sent again. */
const SENT_TTL_SECONDS = 86_400;

/**
 * Everything a send checks before it may go, in one round trip: not already accepted by Graph
 * (a crash after the send), the service window still open (free-form only), and the in-flight
 * claim, which fences a second run of the same drain job (a worker that lost its BullMQ lock but
 * is still sending) so the same message cannot reach Meta twice at once.
 * KEYS: sent, window, inflight   ARGV: claim, inflightMs, checkWindow (0|1), nowSeconds, windowSeconds
 * Returns 'sent' | 'closed' | 'busy' | 'go'.
 */
const beginSendScript = defineScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 'sent' end
if ARGV[3] == '1' then
  -- isServiceWindowOpen's rule (src/conversations/service-window.ts), in the same round trip
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if last <= 0 or tonumber(ARGV[4]) - last >= tonumber(ARGV[5]) then return 'closed' end
end
if redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2], 'NX') then return 'go' end
if redis.call('GET', KEYS[3]) == ARGV[1] then return 'go' end
return 'busy'
`);

/**
 * Ends a send: remembers Graph's acceptance (when there was one) and frees the in-flight claim if
 * it is still ours (a fenced-out run must not free the new owner's claim).
 * KEYS: sent, inflight   ARGV: claim, wamid ('' = not accepted), sentTtlSeconds
 */
const endSendScript = defineScript(`
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`);

/** How long a conversation's newest message to mark read is remembered (its receipt job runs well within this). */
const RECEIPT_MEMORY_SECONDS = 86_400;

/** How many times a pair-rate-limited (131056) message is deferred before it is given up. */
const MAX_RECIPIENT_DEFERRALS = 6;

export interface OutboundDeps {
  redis: Redis;
  keyPrefix: string;
  mailbox: Mailbox<OutboundItem>;
  /** Read receipts go here, unordered: a receipt is not worth making the reply wait ~one Graph round trip. */
  receipts: Queue;
  log: ConversationLog;
  graph: GraphClient;
  pacer: Pacer;
  metrics: Metrics;
  logger: Logger;
}

export function createOutbound(deps: OutboundDeps) {
  const sentKey = (id: string) => `${deps.keyPrefix}:out:sent:${id}`;
  const lastReadKey = (item: OutboundItem) => `${deps.keyPrefix}:out:lastread:${conversationKey(item.phoneNumberId, item.to)}`;
  const isFreeForm = (item: OutboundItem) => item.payload.kind === 'message' && item.payload.freeForm;

  /**
   * Queues sends in order on each recipient's lane and logs them as `queued`. Free-form messages
   * outside the service window are refused before anything is queued.
   * @throws {ServiceWindowClosedError}
   */
  async function enqueue(all: OutboundItem[]): Promise<void> {
    const receipts = all.filter(isReceipt);
    const items = all.filter((item) => !isReceipt(item));
    if (receipts.length > 0) {
      // The conversation's newest message to mark read is written before its job is added, so
      // whichever receipt job of the conversation runs next reads it (see sendReceipt).
      await Promise.all(receipts.map((item) => deps.redis.set(lastReadKey(item), item.payload.wamid, 'EX', RECEIPT_MEMORY_SECONDS)));
      await addJobs(
        deps.receipts,
        receipts.map((item) => ({
          name: 'read',
          data: item,
          opts: {
            jobId: `rcpt-${item.id}`,
            // At most one waiting and one running receipt job per conversation: a burst of messages
            // gets one receipt for the newest (Meta marks the earlier ones read with it), and one
            // arriving while a receipt is on its way gets a job after it.
            deduplication: { id: `rcpt:${conversationKey(item.phoneNumberId, item.to)}`, keepLastIfActive: true },
            attempts: 3,
            backoff: { type: 'exponential', delay: 1_000 },
            removeOnComplete: true,
            removeOnFail: { age: 86_400 },
          },
        })),
      );
    }
    for (const item of items) {
      const lane = conversationKey(item.phoneNumberId, item.to);
      if (isFreeForm(item) && !(await isServiceWindowOpen(deps.redis, deps.keyPrefix, lane))) throw new ServiceWindowClosedError(lane);
    }
    await Promise.all(
      items.flatMap((item) =>
        item.payload.kind === 'message'
          ? [
              deps.log.logQueued({
                outboundId: item.id,
                conversationKey: conversationKey(item.phoneNumberId, item.to),
                phoneNumberId: item.phoneNumberId,
                waId: item.to,
                direction: 'outbound',
                author: item.author,
                type: item.payload.message.type,
                text: describeOutbound(item.payload.message),
                ticketId: item.ticketId,
                at: new Date(item.createdAt),
              }),
            ]
          : [],
      ),
    );
    await deps.mailbox.push(
      items.map((item) => ({
        lane: conversationKey(item.phoneNumberId, item.to),
        item,
        dedupeKey: `out:${item.id}`,
        dedupeTtlSeconds: 86_400,
      })),
    );
  }

  async function fail(item: OutboundItem, code: number | string, title?: string, message?: string): Promise<void> {
    deps.metrics.whatsappSendFailures.inc({ code: String(code) });
    if (item.payload.kind === 'message') await deps.log.markFailed(item.id, { code, ...(title ? { title } : {}), ...(message ? { message } : {}) });
  }

  /** Sends one message; the lane guarantees this recipient's previous send has been answered. */
  const handle: MailboxHandler<OutboundItem> = async (item, ctx): Promise<HandlerOutcome | void> => {
    const { payload } = item;
    if (payload.kind !== 'message') return; // receipts never enter the lane (see enqueue)
    const keys = { sent: sentKey(item.id), inFlight: `${deps.keyPrefix}:out:inflight:${item.id}` };
    // The pacer slot is reserved in the same round trip as the checks (auto-pipelined); a slot
    // reserved for a send that then does not go is merely left unused.
    const [verdict] = await Promise.all([
      beginSendScript.run(
        deps.redis,
        [keys.sent, windowKey(deps.keyPrefix, ctx.lane), keys.inFlight],
        [ctx.claim, IN_FLIGHT_MS, isFreeForm(item) ? 1 : 0, Math.floor(Date.now() / 1000), SERVICE_WINDOW_SECONDS],
      ),
      deps.pacer.acquire(item.phoneNumberId),
    ]);
    if (verdict === 'sent') return; // accepted by Graph before a crash
    if (verdict === 'busy') return { retryAfterMs: 1_000 };
    if (verdict === 'closed') {
      ctx.logger.warn('service window closed while the message waited; not sent');
      return fail(item, 'CUSTOMER_SERVICE_WINDOW_CLOSED', 'Customer service window closed');
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
        receipt ? markRead(item.phoneNumberId, receipt, false, ctx.jobId).catch((err: unknown) => ctx.logger.warn({ err }, 'read receipt failed; dropped')) : undefined,
      ]);
      wamid = result.wamid;
      deps.metrics.whatsappSends.inc({ result: 'accepted' });
      await Promise.all([endSendScript.run(deps.redis, [keys.sent, keys.inFlight], [ctx.claim, wamid, SENT_TTL_SECONDS]), deps.log.markAccepted(item.id, wamid)]);
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
      await fail(item, verdict.code ?? 'unknown', verdict.title, verdict.message);
    } finally {
      if (!wamid) await endSendScript.run(deps.redis, [keys.sent, keys.inFlight], [ctx.claim, '', SENT_TTL_SECONDS]);
    }
  };

  /** Marks a user message read; Meta refusing it (e.g. an old wamid) is logged and dropped, anything transient is thrown. */
  async function markRead(phoneNumberId: string, wamid: string, typing: boolean, jobId: string | undefined): Promise<void> {
    try {
      await deps.graph.markRead(wamid, { phoneNumberId, typing });
    } catch (err) {
      if ((err instanceof GraphApiError || err instanceof GraphNetworkError) && err.classification.kind !== 'retry') {
        if (err.classification.alert === 'token') deps.metrics.whatsappTokenErrors.inc();
        deps.logger.warn({ code: err.classification.code, jobId }, 'read receipt refused; dropped');
        return;
      }
      throw err;
    }
  }

  /**
   * Sends a conversation's read receipt (its messages that got no reply to ride with): for the
   * newest message enqueued so far, which marks every earlier one read too.
   */
  const sendReceipt: Processor<OutboundItem> = async (job) => {
    const { payload, phoneNumberId } = job.data;
    if (payload.kind !== 'mark_read') return;
    const newest = (await deps.redis.get(lastReadKey(job.data))) ?? payload.wamid;
    await markRead(phoneNumberId, newest, payload.typing, job.id);
  };

  return {
    enqueue,
    handle,
    sendReceipt,
    /** Called by the mailbox when a transient failure outlasted every retry. */
    onDeadLetter(item: OutboundItem, error: unknown): void {
      void fail(item, 'RETRIES_EXHAUSTED', 'Gave up after repeated transient failures', error instanceof Error ? error.message : String(error));
    },
  };
}

export type Outbound = ReturnType<typeof createOutbound>;
