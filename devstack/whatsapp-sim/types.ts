/**
 * The WhatsApp simulator's public types (the interfaces fixed by the playground design). Kept apart
 * from the implementation so every part of the simulator can share them without import cycles.
 */
import type { EventEmitter } from 'node:events';
import type { Hono } from 'hono';
import type { RenderedTemplate, SimTemplate } from './templates.js';

export interface WhatsAppSimOptions {
  /** Puente's POST /webhook, where Meta posts (e.g. http://127.0.0.1:3000/webhook). */
  webhookUrl: string;
  /** META_WEBHOOK_SECRET: X-Hub-Signature-256 = 'sha256=' + hex HMAC-SHA256(raw body). */
  appSecret: string;
  /** WHATSAPP_ACCESS_TOKEN: sends must carry 'Authorization: Bearer <it>' (else error 190). */
  accessToken: string;
  /** The business number's id (WHATSAPP_PHONE_NUMBER_ID). */
  phoneNumberId: string;
  displayPhoneNumber?: string;
  /** The WhatsApp Business Account id (webhooks' `entry[].id`, the templates' path). Default 100000000000001. */
  wabaId?: string;
  /** Not in the design, optional: the account's message templates. Default: templates.ts' DEFAULT_TEMPLATES. */
  templates?: SimTemplate[];
  /** Default ~150 / ~500 ms after the send was accepted. */
  statusDelaysMs?: { sent: number; delivered: number };
  /**
   * Not in the design, optional: pauses between webhook delivery attempts (Meta retries a
   * non-200). Default [200, 600, 1500]: four attempts in all. Tests shorten it.
   */
  webhookRetryDelaysMs?: number[];
  /** Not in the design, optional: the clock (ms since the epoch), so tests can age the 24 h window. */
  now?: () => number;
}

export type UserInput =
  | { kind: 'text'; text: string }
  /** A tap on a reply button or a list row the business sent. */
  | { kind: 'reply'; id: string; title: string }
  /** Placeholders ("voice" = audio with voice: true). */
  | { kind: 'image' | 'document' | 'audio' | 'location' };

export type SimStatus = 'received' | 'sent' | 'delivered' | 'read' | 'failed';

export interface SimMessage {
  wamid: string;
  waId: string;
  direction: 'in' | 'out';
  /** text | interactive | image | document | audio | location | template | button | ... */
  type: string;
  /** Inbound: the `messages[]` item posted to the webhook; outbound: the send request body as received. */
  body: unknown;
  status: SimStatus;
  /** ISO time. */
  at: string;
  /** A business template message: what the phone shows (the template's text with the parameters filled in). */
  rendered?: RenderedTemplate;
}

export interface SimStatusEvent {
  wamid: string;
  waId: string;
  status: SimStatus;
  at: string;
}

export interface WhatsAppSimulator {
  /** The Graph API surface: `POST /:version/:phoneNumberId/messages`, `GET /:version/:wabaId/message_templates`. */
  app: Hono;
  /** The simulated WhatsApp Business Account (WHATSAPP_BUSINESS_ACCOUNT_ID for Puente). */
  wabaId: string;
  /** Its message templates. */
  templates: readonly SimTemplate[];
  /** Default port 0, host 127.0.0.1; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Builds Meta's webhook payload, signs it, POSTs it; throws with the status if Puente answers non-2xx. */
  userSends(waId: string, input: UserInput, profileName?: string): Promise<SimMessage>;
  /** The user looked at the chat: every delivered outbound message becomes read (read status webhooks). */
  markSeen(waId: string): Promise<void>;
  /** Oldest first. */
  conversation(waId: string): SimMessage[];
  users(): { waId: string; profileName: string }[];
  /**
   * 'message' (SimMessage), 'status' (SimStatusEvent); beyond the design, 'webhook-failed'
   * ({ kind, wamid?, status?, error }) when a status webhook could not be delivered after retries.
   */
  events: EventEmitter;
}
