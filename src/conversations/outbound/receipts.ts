import type { Processor } from 'bullmq';
import { addJobs } from '../../../queues/registry.js';
import { GraphApiError, GraphNetworkError } from '../../whatsapp/graph-errors.js';
import { conversationKey } from '../../whatsapp/normalize.js';
import type { OutboundDeps, OutboundItem, ReceiptItem } from './types.js';

/** How long a conversation's newest message to mark read is remembered (its receipt job runs well within this). */
const RECEIPT_MEMORY_SECONDS = 86_400;

export type Receipts = ReturnType<typeof createReceipts>;

export function createReceipts(deps: Pick<OutboundDeps, 'redis' | 'keyPrefix' | 'receipts' | 'graph' | 'metrics' | 'logger'>) {
  const lastReadKey = (item: OutboundItem) => `${deps.keyPrefix}:out:lastread:${conversationKey(item.phoneNumberId, item.to)}`;

  /** Queues read receipts, one job per conversation at a time (see the deduplication below). */
  async function enqueue(receipts: ReceiptItem[]): Promise<void> {
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

  return { enqueue, markRead, sendReceipt };
}
