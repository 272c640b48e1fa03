/**
 * The agent's side: the calls a CRM makes to Puente's `/api/crm/*` (docs/crm-contract.md,
 * "Endpoints Puente serves to the CRM") with `Authorization: Bearer CRM_API_TOKEN`. A non-2xx
 * answer becomes a {@link PuenteRefusedError} carrying Puente's status and error body, so the
 * playground can show why (409 TICKET_NOT_ACTIVE, CUSTOMER_SERVICE_WINDOW_CLOSED, …).
 */
import { randomUUID } from 'node:crypto';
import type { AgentMessage } from './types.js';

export class PuenteRefusedError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(what: string, status: number, body: unknown) {
    const error = typeof body === 'object' && body !== null ? (body as { error?: { code?: unknown; message?: unknown } }).error : undefined;
    const reason = error ? `${String(error.code)}: ${String(error.message)}` : typeof body === 'string' ? body.slice(0, 300) : '';
    super(`Puente refused ${what} with HTTP ${status}${reason ? ` (${reason})` : ''}`);
    this.name = 'PuenteRefusedError';
    this.status = status;
    this.body = body;
  }
}

export interface PuenteClient {
  handover(body: Record<string, unknown>): Promise<unknown>;
  sendMessage(body: Record<string, unknown>): Promise<unknown>;
  ticketMessages(ticketId: string, page: number, limit: number): Promise<{ total?: number; messages?: unknown[] } & Record<string, unknown>>;
}

const TIMEOUT_MS = 15_000;

export function createPuenteClient(options: { puenteUrl: string; crmApiToken: string }): PuenteClient {
  const base = options.puenteUrl.replace(/\/+$/, '');

  async function call(what: string, path: string, init: { method: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }): Promise<unknown> {
    const response = await fetch(`${base}${path}`, {
      method: init.method,
      headers: {
        authorization: `Bearer ${options.crmApiToken}`,
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // Kept as text: a proxy's HTML page is still worth showing.
    }
    if (!response.ok) throw new PuenteRefusedError(what, response.status, body);
    return body;
  }

  return {
    handover: (body) => call(`the handover (${String(body['handoverType'])})`, '/api/crm/handover', { method: 'POST', body }),
    // One Idempotency-Key per message: a retried call would reuse it and the user would get the message once.
    sendMessage: (body) => call('the agent message', '/api/crm/send-message', { method: 'POST', body, headers: { 'idempotency-key': randomUUID() } }),
    async ticketMessages(ticketId, page, limit) {
      const body = await call('the ticket log', `/api/crm/tickets/${encodeURIComponent(ticketId)}/messages?page=${page}&limit=${limit}`, { method: 'GET' });
      return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    },
  };
}

/** The `send-message` body for an agent message (`message` is the text, or the file's https URL). */
export function sendMessageBody(ticket: { ticketId: string; userPhone: string }, agentId: string, message: AgentMessage, at: Date): Record<string, unknown> {
  const common = { ticketId: ticket.ticketId, userPhone: ticket.userPhone, agentId };
  if (message.type === 'text') return { ...common, message: message.text, messageType: 'text', timestamp: at.toISOString() };
  return {
    ...common,
    message: message.link,
    messageType: message.type,
    ...(message.caption === undefined ? {} : { caption: message.caption }),
    ...(message.type === 'document' && message.filename !== undefined ? { filename: message.filename } : {}),
    timestamp: at.toISOString(),
  };
}
