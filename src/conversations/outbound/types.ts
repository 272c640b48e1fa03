import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Mailbox } from '../../../queues/mailbox.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { Metrics } from '../../platform/metrics/registry.js';
import type { GraphClient } from '../../whatsapp/graph-client.js';
import type { OutboundMessage } from '../../whatsapp/outbound-types.js';
import type { Pacer } from '../../whatsapp/pacer.js';
import type { ConversationLog } from '../conversation-log.js';
import type { Author } from '../message-log.js';

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
  /**
   * A campaign step (id `cmp.<enrollmentId>.<step>`): logged with the message so a status or a
   * reply's `context.id` leads back to the campaign, and sent at campaign priority (never ahead of a reply).
   */
  campaign?: OutboundCampaignRef;
}

/** Which campaign step an outbound message is. */
export interface OutboundCampaignRef {
  orgId: string;
  campaignId: string;
  enrollmentId: string;
  step: number;
  /** The campaign's send rate (msg/s): paced again right before the Graph call, so Graph never sees it exceeded. */
  rate?: number;
}

/** The deterministic outbound id of a campaign step: one per (enrollment, step), so it can never be sent twice. */
export const campaignOutboundId = (enrollmentId: string, step: number) => `cmp.${enrollmentId}.${step}`;

/** A read receipt to send (never queued in a lane). */
export type ReceiptItem = OutboundItem & { payload: Extract<OutboundPayload, { kind: 'mark_read' }> };
export const isReceipt = (item: OutboundItem): item is ReceiptItem => item.payload.kind === 'mark_read';
export const isFreeForm = (item: OutboundItem) => item.payload.kind === 'message' && item.payload.freeForm;

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
