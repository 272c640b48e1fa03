import { enqueuer } from './outbound/enqueue.js';
import { createFailures } from './outbound/failures.js';
import { createReceipts } from './outbound/receipts.js';
import { sendHandler } from './outbound/send.js';
import { createSendClaims } from './outbound/send-claims.js';
import type { OutboundDeps } from './outbound/types.js';

export type { OutboundCampaignRef, OutboundDeps, OutboundItem, OutboundPayload } from './outbound/types.js';
export { campaignOutboundId } from './outbound/types.js';
export type { SendFailure, SendFailureListener } from './outbound/failures.js';
export { ServiceWindowClosedError } from './outbound/window.js';

/**
 * Outbound sends: `enqueue` puts messages in order on each recipient's lane (read receipts on a
 * queue of their own), `handle` sends them from the lane at most once each, `sendReceipt` runs the
 * receipts queue, and `onDeadLetter` reports what the lane gave up on.
 */
export function createOutbound(deps: OutboundDeps) {
  const receipts = createReceipts(deps);
  const failures = createFailures(deps);
  return {
    enqueue: enqueuer(deps, receipts),
    handle: sendHandler(deps, createSendClaims(deps.redis, deps.keyPrefix), receipts, failures),
    sendReceipt: receipts.sendReceipt,
    onDeadLetter: failures.onDeadLetter,
    /** Adds a listener for messages given up for good (refused by Meta, window closed, retries exhausted). */
    onPermanentFailure: failures.listen,
  };
}

export type Outbound = ReturnType<typeof createOutbound>;
