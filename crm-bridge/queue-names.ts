/** The BullMQ queues of the CRM bridge. */
export const bridgeQueues = {
  /** Calls to the CRM (agent requests, relayed user messages, ticket events), ordered per conversation. */
  crm: 'crm',
  /** Handover timers (assignment and idle timeouts) as delayed jobs. */
  timers: 'timers',
} as const;
