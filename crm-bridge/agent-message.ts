import { mediaMessage, textMessage } from '../src/whatsapp/messages.js';
import type { OutboundMessage } from '../src/whatsapp/outbound-types.js';

/** What the CRM's send-message carries, as the lane item keeps it. */
export interface AgentMessageInput {
  messageType: 'text' | 'image' | 'document';
  /** The text, or the https URL of the image or document. */
  message: string;
  caption?: string;
  filename?: string;
}

/**
 * The WhatsApp message an agent's send-message becomes, built with the limit-enforcing Graph
 * builders. The route builds it once to refuse what could never be sent (a blank text, a URL that
 * does not parse) with a 400, and the lane builds the same message to send it: one set of rules.
 */
export function agentMessageOf(to: string, input: AgentMessageInput): OutboundMessage {
  return input.messageType === 'text'
    ? textMessage(to, input.message)
    : mediaMessage(to, input.messageType, { link: input.message }, { ...(input.caption ? { caption: input.caption } : {}), ...(input.filename && input.messageType === 'document' ? { filename: input.filename } : {}) });
}

/** The send-message field a builder's complaint is about (the builders name their own inputs). */
export function agentMessageField(builderField: string): string {
  if (builderField === 'text.body' || builderField === 'body' || builderField.startsWith('source')) return 'message';
  if (builderField === 'to') return 'userPhone';
  return builderField;
}
