/**
 * HTTP client for the calls Puente makes to the CRM (docs/crm-contract.md, "Calls Puente makes to the CRM").
 * One attempt per call: retries with backoff belong to the caller (the CRM queue), which decides
 * from {@link CrmCallError.retryable}.
 */
import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../platform/logging/logger.js';
import { postSignedToCrm } from './signed-post.js';
import { PUENTE_VERSION } from '../platform/version.js';
import {
  agentRequestResponseSchema,
  type AgentRequestBody,
  type AgentRequestResponse,
  type TicketEventBody,
  type UserMessageBody,
} from './crm-payloads.js';

/** Which CRM endpoint a call went to (for errors, logs and metrics). */
export type CrmEndpoint = 'agent-request' | 'user-message' | 'ticket-event';

/**
 * A CRM call that did not succeed. `retryable` is true for network errors, timeouts, 408, 429 and
 * 5xx; false for other statuses (400/401/403/404/422, unexpected 3xx). The message names the
 * endpoint and the status or network error code only: never headers, tokens or bodies. There is
 * deliberately no `cause`, because axios errors carry the request config (and so the bearer token).
 */
export class CrmCallError extends Error {
  readonly endpoint: CrmEndpoint;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** From `Retry-After` on 429/503, when the CRM sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { endpoint: CrmEndpoint; message: string; retryable: boolean; status?: number; retryAfterMs?: number }) {
    super(init.message);
    this.name = 'CrmCallError';
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Options of {@link createCrmClient}. */
export interface CrmClientOptions {
  /** `CRM_BASE_URL`; a trailing slash is tolerated. */
  baseUrl: string;
  /** `CRM_AGENT_NOTIFICATION_URL` (config defaults it to `${CRM_BASE_URL}/api/bot/agent-request`). */
  agentNotificationUrl: string;
  /** `BOT_API_TOKEN`, sent as `Authorization: Bearer …`. */
  botApiToken: string;
  /** `BOT_SIGNATURE_SECRET`, the HMAC key of `X-Bot-Signature`. */
  botSignatureSecret: string;
  /** Full `User-Agent` value; default `Puente/<package version>`. */
  userAgent?: string;
  /** Per call, covering connect to last byte. Default 10 000. */
  timeoutMs?: number;
  logger: Logger;
  /** For tests that want their own axios instance; default `axios.create()`. */
  http?: AxiosInstance;
  /** Told of every call: its endpoint, outcome (`ok`, `http_<status>`, `network`) and duration (metrics). */
  observe?: (endpoint: CrmEndpoint, outcome: string, seconds: number) => void;
}

/** The CRM calls. Each resolves on any 2xx and rejects with {@link CrmCallError} otherwise. */
export interface CrmClient {
  /** The agent request; resolves with the agent when the CRM assigned one synchronously. */
  agentRequest(body: AgentRequestBody): Promise<AgentRequestResponse>;
  /** Relays one user message of an open ticket. */
  userMessage(body: UserMessageBody): Promise<void>;
  /** Reports a ticket event the CRM did not cause (timeouts, the user leaving). */
  ticketEvent(body: TicketEventBody): Promise<void>;
}

interface RawResponse {
  status: number;
  data: string;
}

/** Creates the CRM client. Bodies are signed and sent as the exact same string. */
export function createCrmClient(options: CrmClientOptions): CrmClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userAgent = options.userAgent ?? `Puente/${PUENTE_VERSION}`;
  const http = options.http ?? axios.create();
  const base = options.baseUrl.replace(/\/+$/, '');
  const urls: Record<CrmEndpoint, string> = {
    'agent-request': options.agentNotificationUrl,
    'user-message': `${base}/api/bot/user-message`,
    'ticket-event': `${base}/api/bot/ticket-event`,
  };
  const log = options.logger.child({ component: 'crm-client' });

  async function post(endpoint: CrmEndpoint, payload: { ticketId: string }): Promise<RawResponse> {
    const body = JSON.stringify(payload);
    const started = Date.now();
    let response;
    try {
      response = await postSignedToCrm(http, urls[endpoint], body, { botApiToken: options.botApiToken, botSignatureSecret: options.botSignatureSecret, userAgent }, timeoutMs);
    } catch (err) {
      options.observe?.(endpoint, 'network', (Date.now() - started) / 1000);
      throw fail(endpoint, payload.ticketId, { message: `CRM ${endpoint} failed: ${networkReason(err, timeoutMs)}`, retryable: true });
    }
    const { status } = response;
    const ms = Date.now() - started;
    options.observe?.(endpoint, status >= 200 && status < 300 ? 'ok' : `http_${status}`, ms / 1000);
    if (status >= 200 && status < 300) {
      log.debug({ endpoint, ticketId: payload.ticketId, status, ms }, 'CRM call succeeded');
      return { status, data: typeof response.data === 'string' ? response.data : '' };
    }
    const retryable = status === 408 || status === 429 || status >= 500;
    const retryAfterMs = retryable ? parseRetryAfter(response.headers['retry-after']) : undefined;
    throw fail(endpoint, payload.ticketId, { message: `CRM ${endpoint} failed: HTTP ${status}`, retryable, status, retryAfterMs });
  }

  function fail(
    endpoint: CrmEndpoint,
    ticketId: string,
    init: { message: string; retryable: boolean; status?: number; retryAfterMs?: number | undefined },
  ): CrmCallError {
    const error = new CrmCallError({ endpoint, ...init });
    // 401/403 mean our credentials or the CRM config are wrong: nothing a retry fixes, so shout.
    const level = init.status === 401 || init.status === 403 ? 'error' : 'warn';
    log[level]({ endpoint, ticketId, status: init.status, retryable: init.retryable }, error.message);
    return error;
  }

  return {
    async agentRequest(body) {
      const { data } = await post('agent-request', body);
      const json = parseJson(data);
      if (json === NOT_JSON) {
        // The contract promises JSON, but an accepted request with an empty/odd body is still accepted.
        if (data.trim() !== '') log.warn({ ticketId: body.ticketId }, 'CRM agent-request answered 2xx without JSON');
        return { success: true };
      }
      const parsed = agentRequestResponseSchema.safeParse(json);
      if (!parsed.success) {
        log.warn({ ticketId: body.ticketId }, 'CRM agent-request answered 2xx with an unexpected body');
        return { success: true };
      }
      if (parsed.data.success === false) {
        // A refusal in a 2xx gives no reason to believe it is permanent, so it is retried like a 5xx.
        throw fail('agent-request', body.ticketId, { message: 'CRM agent-request failed: success=false', retryable: true });
      }
      const { agentAssigned, ticketId } = parsed.data;
      if (ticketId !== undefined && ticketId !== body.ticketId) {
        log.warn({ ticketId: body.ticketId, answeredTicketId: ticketId }, 'CRM agent-request answered another ticketId');
      }
      return {
        success: true,
        ...(agentAssigned ? { agentAssigned } : {}),
        ...(ticketId !== undefined ? { ticketId } : {}),
      };
    },
    async userMessage(body) {
      await post('user-message', body);
    },
    async ticketEvent(body) {
      await post('ticket-event', body);
    },
  };
}

const NOT_JSON = Symbol('not JSON');
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** A short, secret-free reason: the error code (ECONNREFUSED, …) or "timeout after N ms". */
function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { code?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || e.name === 'TimeoutError') {
    return `timeout after ${timeoutMs} ms`;
  }
  return `network error ${code ?? 'unknown'}`;
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
