/** The privacy module's queues (Bull Board lists them by these names). */
export const privacyQueues = {
  /** The hourly retention purge (a BullMQ job scheduler). */
  retention: 'privacy-retention',
} as const;
