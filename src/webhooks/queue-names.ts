/** The BullMQ queues of the webhooks module. */
export const webhookQueues = {
  /** Deliveries and verifications: a mailbox with one ordered lane per (subscription, resource). */
  deliveries: 'webhook-deliveries',
} as const;
