import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { GraphApiError, GraphNetworkError, classifyGraphError } from './graph-errors.js';
import { markReadMessage } from './messages.js';
import type { OutboundMessage } from './outbound-types.js';

/** The calls Puente makes to the Graph API (the `operation` label of their metrics). */
export type GraphOperation = 'send' | 'mark_read' | 'list_templates';

/** Options of {@link createGraphClient}. Nothing is read from the environment. */
export interface GraphClientOptions {
  /** e.g. `https://graph.facebook.com` (`WHATSAPP_API_URL`). */
  apiUrl: string;
  /** e.g. `v21.0`; a bare `21.0` gets its `v`. */
  apiVersion: string;
  /** Default sender (`WHATSAPP_PHONE_NUMBER_ID`); each call may override it. */
  phoneNumberId: string;
  accessToken: string;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** Default `Puente`. */
  userAgent?: string;
  /** Bring your own agents (e.g. a proxy agent); they are then not destroyed by `close()`. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /** Sockets per host for the built-in keep-alive agents. Default 1,024. */
  maxSockets?: number;
  /** Told of every call: its operation, outcome (`ok`, `http_<status>`, `timeout`, `network`) and duration (metrics). */
  observe?: (operation: GraphOperation, outcome: string, seconds: number) => void;
}

/** Per-call options. */
export interface GraphCallOptions {
  /** Send from this business number instead of the default (the inbound `phone_number_id`). */
  phoneNumberId?: string;
  /** Attempts already made (BullMQ `attemptsMade`); sizes the 131056 backoff. */
  attempt?: number;
  signal?: AbortSignal;
}

/** What Graph returns for an accepted message (accepted, not yet delivered). */
export interface SendMessageResult {
  wamid: string;
  /** Templates only: `accepted`, `held_for_quality_assessment` or `paused`. */
  messageStatus?: string;
  /** The wa_id Meta resolved the recipient to. */
  waId?: string;
}

/** One component of a message template, as Graph describes it (`HEADER`, `BODY`, `FOOTER`, `BUTTONS`). */
export interface GraphTemplateComponent {
  type: string;
  /** Headers: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT` or `LOCATION`. */
  format?: string;
  /** With `{{1}}`… (positional) or `{{name}}` (named) placeholders. */
  text?: string;
  buttons?: { type: string; text?: string; url?: string; phone_number?: string }[];
  /** Meta's examples of the placeholders (`body_text`, `body_text_named_params`, `header_text`, …). */
  example?: Record<string, unknown>;
}

/** A message template of a WhatsApp Business Account. */
export interface GraphTemplate {
  id: string;
  name: string;
  /** e.g. `es`, `es_MX`, `en_US`. */
  language: string;
  /** `MARKETING`, `UTILITY` or `AUTHENTICATION`. */
  category: string;
  /** `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, … */
  status: string;
  components: GraphTemplateComponent[];
}

/** Options of {@link GraphClient.listTemplates}. */
export interface ListTemplatesOptions {
  /** Templates per page (Graph's `limit`). Default 100. */
  pageSize?: number;
  /** Pages read at most (a runaway cursor cannot loop forever). Default 100. */
  maxPages?: number;
  signal?: AbortSignal;
}

/** A WhatsApp Cloud API client bound to one access token. */
export interface GraphClient {
  /**
   * Sends a message built by `messages.ts`.
   * @throws {GraphApiError} when Meta answered with an error; {@link GraphNetworkError} when it did not answer.
   */
  sendMessage(body: OutboundMessage, options?: GraphCallOptions): Promise<SendMessageResult>;
  /** Marks an inbound message read, optionally showing the typing indicator. Same errors as `sendMessage`. */
  markRead(wamid: string, options?: GraphCallOptions & { typing?: boolean }): Promise<void>;
  /**
   * Every message template of the WhatsApp Business Account `wabaId`
   * (`GET /{waba}/message_templates?fields=name,language,category,status,components`), following
   * Graph's `after` cursors page by page. Same errors as `sendMessage`.
   */
  listTemplates(wabaId: string, options?: ListTemplatesOptions): Promise<GraphTemplate[]>;
  /** Destroys the keep-alive agents this client created. */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 15_000;
// At 1,000 msg/s with 150 ms per call and a read receipt sent alongside each reply, ~300 requests
// are in flight per host (more while Graph is slow). 256 capped the bench at ~850 replies/s with
// requests queueing inside the agent; 1,024 leaves room for answers up to ~0.5 s.
const DEFAULT_MAX_SOCKETS = 1_024;

type Json = Record<string, unknown>;

function parseJson(text: unknown): Json | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * Creates a Graph API client with its own axios instance and keep-alive agents.
 *
 * Errors never carry the access token, the request config or the axios error itself.
 *
 * @example
 * const graph = createGraphClient({ apiUrl, apiVersion: 'v21.0', phoneNumberId, accessToken });
 * const { wamid } = await graph.sendMessage(textMessage('573001234567', 'Hola'));
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { accessToken } = options;
  const baseUrl = options.apiUrl.replace(/\/+$/, '');
  const version = options.apiVersion.startsWith('v') ? options.apiVersion : `v${options.apiVersion}`;
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const ownAgents: (http.Agent | https.Agent)[] = [];
  const httpAgent = options.httpAgent ?? new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = options.httpsAgent ?? new https.Agent({ keepAlive: true, maxSockets });
  if (!options.httpAgent) ownAgents.push(httpAgent);
  if (!options.httpsAgent) ownAgents.push(httpsAgent);

  const client: AxiosInstance = axios.create({
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    httpAgent,
    httpsAgent,
    // Environment proxies are ignored on purpose (no hidden env reads); pass a proxy agent instead.
    proxy: false,
    maxRedirects: 0,
    maxContentLength: 1024 * 1024,
    // Every status is a response to interpret, and the raw text is kept so HTML error pages parse safely.
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': options.userAgent ?? 'Puente',
    },
  });

  // Belt and braces: Meta does not echo tokens, but error text must never be able to leak one.
  const redact = (text: string): string => (accessToken ? text.split(accessToken).join('[redacted]') : text);

  /**
   * One Graph call, timed for `observe`: the response whatever its status, or a
   * {@link GraphNetworkError} (token-free) when no response came.
   */
  async function call(operation: GraphOperation, request: () => Promise<AxiosResponse<unknown>>): Promise<AxiosResponse<unknown>> {
    const started = performance.now();
    const observe = (outcome: string) => options.observe?.(operation, outcome, (performance.now() - started) / 1000);
    try {
      const response = await request();
      observe(response.status >= 200 && response.status < 300 ? 'ok' : `http_${response.status}`);
      return response;
    } catch (error) {
      const code = axios.isAxiosError(error) ? error.code : undefined;
      const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
      observe(timedOut ? 'timeout' : 'network');
      const message = error instanceof Error ? error.message : String(error);
      throw new GraphNetworkError(redact(`Graph API request failed: ${message}`), { ...(code === undefined ? {} : { code }), timedOut });
    }
  }

  async function post(body: unknown, callOptions: GraphCallOptions, operation: 'send' | 'mark_read'): Promise<AxiosResponse<unknown>> {
    const phoneNumberId = encodeURIComponent(callOptions.phoneNumberId ?? options.phoneNumberId);
    return call(operation, () => client.post(`${baseUrl}/${version}/${phoneNumberId}/messages`, body, { headers: { Authorization: `Bearer ${accessToken}` }, signal: callOptions.signal }));
  }

  function apiError(response: AxiosResponse<unknown>, json: Json | undefined, call: GraphCallOptions): GraphApiError {
    const error = typeof json?.['error'] === 'object' && json['error'] !== null ? (json['error'] as Json) : undefined;
    const errorData = error?.['error_data'] as Json | undefined;
    const code = asNumber(error?.['code']);
    const metaMessage = asString(error?.['message']);
    const retryAfter = response.headers['retry-after'];
    const title = asString(error?.['error_user_title']) ?? asString(error?.['title']);
    const classification = classifyGraphError({
      status: response.status,
      ...(code === undefined ? {} : { code }),
      ...(title === undefined ? {} : { title }),
      ...(metaMessage === undefined ? {} : { message: redact(metaMessage) }),
      ...(error?.['is_transient'] === true ? { isTransient: true } : {}),
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      attempt: call.attempt ?? 0,
    });
    const summary =
      response.status >= 200 && response.status < 300
        ? 'Graph API accepted the request but returned no message id'
        : metaMessage ?? `Graph API answered HTTP ${response.status} without an error envelope`;
    return new GraphApiError({
      message: redact(`${summary} (HTTP ${response.status}${code === undefined ? '' : `, code ${code}`})`),
      status: response.status,
      code,
      subcode: asNumber(error?.['error_subcode']),
      type: asString(error?.['type']),
      title,
      details: asString(errorData?.['details']),
      fbtraceId: asString(error?.['fbtrace_id']),
      classification,
    });
  }

  const isSuccess = (status: number): boolean => status >= 200 && status < 300;

  /** A GET with the bearer token; network failures become {@link GraphNetworkError} like `post`'s. */
  async function get(url: string, params: Record<string, string>, signal: AbortSignal | undefined, operation: 'list_templates'): Promise<AxiosResponse<unknown>> {
    return call(operation, () => client.get(url, { params, headers: { Authorization: `Bearer ${accessToken}` }, signal }));
  }

  const asTemplate = (raw: unknown): GraphTemplate | undefined => {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const t = raw as Json;
    const name = asString(t['name']);
    const language = asString(t['language']);
    if (name === undefined || language === undefined) return undefined;
    const components = Array.isArray(t['components']) ? (t['components'] as unknown[]).filter((c): c is GraphTemplateComponent => typeof c === 'object' && c !== null && typeof (c as Json)['type'] === 'string') : [];
    return { id: asString(t['id']) ?? '', name, language, category: asString(t['category']) ?? '', status: asString(t['status']) ?? '', components };
  };

  return {
    async sendMessage(body, call = {}) {
      const response = await post(body, call, 'send');
      const json = parseJson(response.data);
      const messages = json?.['messages'];
      const first = Array.isArray(messages) ? (messages[0] as Json | undefined) : undefined;
      const wamid = asString(first?.['id']);
      // A 2xx without a wamid is classified permanent: retrying a send Meta may have accepted risks a duplicate.
      if (!isSuccess(response.status) || wamid === undefined) throw apiError(response, json, call);
      const contacts = json?.['contacts'];
      const waId = Array.isArray(contacts) ? asString((contacts[0] as Json | undefined)?.['wa_id']) : undefined;
      const messageStatus = asString(first?.['message_status']);
      return {
        wamid,
        ...(messageStatus === undefined ? {} : { messageStatus }),
        ...(waId === undefined ? {} : { waId }),
      };
    },

    async markRead(wamid, call = {}) {
      const response = await post(markReadMessage(wamid, { typing: call.typing ?? false }), call, 'mark_read');
      if (!isSuccess(response.status)) throw apiError(response, parseJson(response.data), call);
    },

    async listTemplates(wabaId, call = {}) {
      const url = `${baseUrl}/${version}/${encodeURIComponent(wabaId)}/message_templates`;
      const templates: GraphTemplate[] = [];
      let after: string | undefined;
      // The `after` cursor, never `paging.next`: that URL carries the access token in its query string.
      for (let page = 0; page < (call.maxPages ?? 100); page++) {
        const params: Record<string, string> = { fields: 'name,language,category,status,components', limit: String(call.pageSize ?? 100), ...(after ? { after } : {}) };
        const response = await get(url, params, call.signal, 'list_templates');
        const json = parseJson(response.data);
        if (!isSuccess(response.status)) throw apiError(response, json, {});
        if (!Array.isArray(json?.['data'])) {
          throw new GraphApiError({ message: `Graph API answered the template list without a data array (HTTP ${response.status})`, status: response.status, classification: { kind: 'permanent' } });
        }
        for (const raw of json['data'] as unknown[]) {
          const template = asTemplate(raw);
          if (template) templates.push(template);
        }
        const paging = json['paging'] as Json | undefined;
        const cursors = paging?.['cursors'] as Json | undefined;
        after = asString(cursors?.['after']);
        if (!paging?.['next'] || !after) break;
      }
      return templates;
    },

    close() {
      for (const agent of ownAgents) agent.destroy();
    },
  };
}
