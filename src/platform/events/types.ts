/**
 * Puente's events: what happened to a resource an integrator may subscribe to (seed 004's
 * webhooks). A module records an event in the same MongoDB update as the change it describes (the
 * document's outbox, ./outbox.ts), so a crash between the two can neither lose it nor invent it;
 * the relay then hands recorded events to the {@link EventSink} (the webhooks module), which
 * fans them out to the organization's subscriptions.
 */

export const EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.closed',
  'ticket.message.added',
  'lead.created',
  'lead.updated',
  'lead.converted',
  'lead.stage.changed',
  'conversation.started',
  'conversation.message.received',
  'conversation.message.sent',
  'conversation.ended',
  'contact.created',
  'contact.enrolled',
  'contact.converted',
  'contact.unsubscribed',
  'campaign.started',
  'campaign.paused',
  'campaign.completed',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The resource an event is about: deliveries of one resource to one subscription keep its order. */
export interface EventResource {
  type: 'ticket' | 'lead' | 'contact' | 'conversation' | 'message' | 'campaign';
  id: string;
}

/** One recorded event. Its delivered body is `{ id, event, timestamp, org_id, data }`. */
export interface PuenteEvent {
  /** `evt_` + random: stable, the receiver's idempotency key. */
  id: string;
  type: EventType;
  org_id: string;
  /** When the change happened. */
  occurred_at: Date;
  resource: EventResource;
  /** The event's JSON body (its shape per type: ./catalog.ts). */
  data: Record<string, unknown>;
}

/** Where recorded events go: the webhooks module. Must be idempotent by event id (the relay may hand an event over twice). */
export interface EventSink {
  /** Events of one resource come in the order they happened. */
  publish(events: readonly PuenteEvent[]): Promise<void>;
  /** Whether any subscription of the organization wants this type (cheap, cached): unwanted events are not recorded at all. */
  wants(orgId: string, type: EventType): Promise<boolean>;
}
