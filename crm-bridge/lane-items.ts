import type { CloseReason } from './ticket-model.js';

/** Why a handover ended: the ticket's close reason. */
export type HandoverEndReason = CloseReason;

/**
 * The CRM bridge's items in a conversation lane: everything the CRM or a timer does to a
 * conversation runs there, in order with the user's messages, so none of them can race another.
 * Ids are stable so a redelivered item is recognised.
 */
export type BridgeLaneItem =
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

export type BridgeLaneItemOf<K extends BridgeLaneItem['kind']> = Extract<BridgeLaneItem, { kind: K }>;
