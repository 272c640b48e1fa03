/** Every BullMQ queue Puente uses. Workers, producers and Bull Board read this list. */
export const queueNames = {
  /** Ordered per-user conversation lanes (inbound messages, CRM calls, timers). */
  lanes: 'lanes',
  /** Paced sends to the WhatsApp Graph API, ordered per recipient. */
  outbound: 'outbound',
  /** Read receipts: outside the ordered send lanes so a reply never waits behind one. */
  receipts: 'receipts',
  /** Delivery status webhooks applied to the conversation log (order-free: statuses only move forward). */
  statuses: 'statuses',
  /** Calls to the CRM (agent requests, relayed user messages, ticket events), ordered per conversation. */
  crm: 'crm',
  /** Handover timers (assignment and idle timeouts) as delayed jobs. */
  timers: 'timers',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];
