import type { InboundEvent } from '../whatsapp/webhook-events.js';

/** Why a handover ended (the ticket's close reasons). */
export type HandoverEndReason = 'agent_resolved' | 'customer_left' | 'assignment_timeout' | 'idle_timeout' | 'error';

/**
 * Everything that runs in a conversation lane, one at a time, in arrival order: the user's
 * messages, and everything the CRM or a timer does to the same conversation, so none of them can
 * race another. Ids are stable so a redelivered item is recognised.
 */
export type LaneItem =
  | { id: string; kind: 'inbound'; event: InboundEvent; receivedAt: number }
  /** A ticket was just opened by the bot: tell the user, notify the CRM, start the assignment timer. */
  | { id: string; kind: 'ticket_opened'; ticketId: string }
  /** The CRM (or Meta thread control) assigned an agent. */
  | { id: string; kind: 'agent_joined'; ticketId: string; agentName: string }
  /** The ticket closed: tell the user why and give the conversation back to the bot. */
  | { id: string; kind: 'handover_closed'; ticketId: string; reason: HandoverEndReason }
  /** A message an agent wrote in the CRM, to relay to the user. */
  | {
      id: string;
      kind: 'agent_message';
      ticketId: string;
      agentId: string;
      messageType: 'text' | 'image' | 'document';
      message: string;
      caption?: string;
      filename?: string;
      receivedAt: number;
    }
  /** A handover timer fired (assignment stage 1/2, or idle). */
  | { id: string; kind: 'timer'; ticketId: string; timer: 'assign' | 'idle'; stage: number }
  /** The CRM stayed unreachable after the first retries: tell the user about the delay (once). */
  | { id: string; kind: 'crm_unreachable'; ticketId: string };

export type LaneItemOf<K extends LaneItem['kind']> = Extract<LaneItem, { kind: K }>;
