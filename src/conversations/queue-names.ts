/** The BullMQ queues of the conversation pipeline. */
export const conversationQueues = {
  /** Ordered per-user conversation lanes (inbound messages, and the other modules' lane items). */
  lanes: 'lanes',
  /** Paced sends to the WhatsApp Graph API, ordered per recipient. */
  outbound: 'outbound',
  /** Read receipts: outside the ordered send lanes so a reply never waits behind one. */
  receipts: 'receipts',
  /** Delivery status webhooks applied to the conversation log (order-free: statuses only move forward). */
  statuses: 'statuses',
} as const;
