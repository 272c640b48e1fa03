import type { InboundEvent } from '../whatsapp/webhook-events.js';

/**
 * The conversation pipeline's own lane item: a message the user wrote. (The lanes carry other
 * modules' kinds too — the CRM bridge's ticket events and timers, crm-bridge/lane-items.ts — so
 * everything that touches one conversation runs one at a time, in arrival order.)
 */
export interface InboundLaneItem {
  id: string;
  kind: 'inbound';
  event: InboundEvent;
  receivedAt: number;
}
