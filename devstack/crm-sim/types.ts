/**
 * The CRM simulator's public types (the interfaces fixed by the playground design), apart from the
 * implementation so its parts share them without import cycles.
 */
import type { EventEmitter } from 'node:events';
import type { Hono } from 'hono';
import type { TestCustomer } from './customers.js';

export interface CrmSimOptions {
  /** Puente's base URL, where the agent's calls go (`/api/crm/*`). */
  puenteUrl: string;
  /** CRM_API_TOKEN: what the agent presents to Puente. */
  crmApiToken: string;
  /** BOT_API_TOKEN: what Puente must present here. */
  botApiToken: string;
  /** BOT_SIGNATURE_SECRET: the HMAC key of Puente's `X-Bot-Signature`. */
  botSignatureSecret: string;
  /** Default {@link TEST_CUSTOMERS}. */
  customers?: TestCustomer[];
}

export type TicketStatus = 'pending' | 'active' | 'closed';

export interface SimTicket {
  ticketId: string;
  userPhone: string;
  customerName?: string;
  category?: string;
  priority?: string;
  status: TicketStatus;
  agent?: { id: string; name: string };
  createdAt: string;
  /** The agent-request body as received. */
  request: unknown;
  /** Bodies of /api/bot/user-message for it, in arrival order. */
  userMessages: unknown[];
  /** Bodies of /api/bot/ticket-event for it. */
  events: unknown[];
}

export type AgentMessage =
  | { type: 'text'; text: string }
  | { type: 'image' | 'document'; link: string; caption?: string; filename?: string };

export interface CrmSimulator {
  app: Hono;
  /** Default port 0, host 127.0.0.1; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  customers: TestCustomer[];
  /** Newest first. */
  tickets(): SimTicket[];
  /** POST {puenteUrl}/api/crm/handover bot_to_human; default agent { id: 'agent-1', name: 'Sofía' }. */
  take(ticketId: string, agent?: { id: string; name: string }): Promise<void>;
  /** POST /api/crm/send-message. */
  send(ticketId: string, message: AgentMessage): Promise<void>;
  /** POST /api/crm/handover human_to_bot. */
  resolve(ticketId: string): Promise<void>;
  /** GET /api/crm/tickets/{ticketId}/messages, all pages. */
  log(ticketId: string): Promise<unknown>;
  /** 'lookup', 'ticket' (SimTicket changed), 'user-message', 'ticket-event', 'error' (only emitted while someone listens). */
  events: EventEmitter;
}
