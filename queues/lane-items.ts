import type { InboundEvent } from '../src/whatsapp/webhook-events.js';

/**
 * Everything that runs in a conversation lane, one at a time, in arrival order. The CRM bridge adds
 * its kinds (handover calls, agent messages, timers) here.
 */
export type LaneItem = { id: string; kind: 'inbound'; event: InboundEvent; receivedAt: number };
