import type { InboundEvent, StatusEvent } from '../whatsapp/webhook-events.js';
import type { OutboundMessage } from '../whatsapp/outbound-types.js';

/** The conversation an inbound message belongs to, as the lane knows it. */
export interface ConversationRef {
  /** Lane key, unique per (phone_number_id, wa_id). */
  key: string;
  /** The user's WhatsApp id. */
  waId: string;
  /** The business number the user wrote to. */
  phoneNumberId: string;
  /** WhatsApp profile name, when Meta sent one. */
  profileName?: string;
}

/** A ticket open for this conversation: a person, not the bot, is talking to the user. */
export interface OpenTicket {
  ticketId: string;
  /** Takes the user's message for the agent's side; false when the bot should answer it after all. */
  take(event: InboundEvent): Promise<boolean>;
}

/**
 * The handover gate, implemented by the CRM bridge: asked before the bot answers a message, so a
 * bot never talks over an agent.
 */
export interface HandoverGate {
  /** The conversation's open ticket, if any (its id also goes into the conversation log). */
  findOpen(conversationKey: string): Promise<OpenTicket | null>;
  /**
   * After a turn the bot left silent: the ticket this message was written under if the agent's
   * close overtook it in the lane (the message is then relayed to it), else undefined.
   */
  relayLate(event: InboundEvent): Promise<{ ticketId: string } | undefined>;
}

/** Answers a user's message, implemented by the bot. */
export interface Responder {
  /**
   * Handles one inbound message; `send` carries the answer out (the pipeline queues it in order,
   * with the read receipt) and must be awaited before the turn ends. An empty answer means silence.
   */
  respond(conversation: ConversationRef, event: InboundEvent, send: (messages: OutboundMessage[]) => Promise<void>): Promise<void | RespondOutcome>;
}

/** What a responder may tell the pipeline about a turn besides its answer. */
export interface RespondOutcome {
  /** The user ended the conversation with the responder (the bot's "salir"). */
  ended?: boolean;
}

/** What an {@link InboundInterceptor} does with a message it takes. */
export interface Interception {
  /** The answer to the user (may be empty): queued like the bot's, at most once per message. */
  reply: OutboundMessage[];
  /** Why the message was taken, for the logs (e.g. `campaign_opt_out`). */
  reason: string;
}

/**
 * Asked about every user message in its lane, after it is logged and before the handover gate and
 * the responder: a message it takes (non-null) is answered with its reply, and the bot never sees
 * it; with a ticket open the message is still relayed to the agent. It runs on the reply path, so
 * it must decide cheaply for the usual message (e.g. a keyword test before any look-up), and it
 * must be idempotent and decide the same way when the turn runs again after a crash (the reply is
 * sent at most once by its id, whatever it does).
 */
export interface InboundInterceptor {
  intercept(conversation: ConversationRef, event: InboundEvent, context: { ticketOpen: boolean }): Promise<Interception | null>;
}

/**
 * Told about every user message once its turn is done, without being waited for: for work that
 * must never slow a reply (e.g. keeping the user's contact record). It must not throw; a
 * rejection is logged and dropped, and the next message tells it again.
 */
export type InboundObserver = (event: InboundEvent) => Promise<unknown>;

/**
 * Told about every delivery status (sent, delivered, read, failed) once the conversation log has
 * it: e.g. a read counts towards the lead's engagement score. At least once (a status job may be
 * retried); it must not throw — a rejection is logged and dropped.
 */
export type StatusObserver = (status: StatusEvent) => Promise<unknown>;
