/**
 * What to do about a failed Graph API call (docs/whatsapp-cloud-api.md). Decisions key on Meta's `error.code`,
 * never on the HTTP status, because Meta reports the same code with different statuses.
 */

/**
 * - `retry`: transient; retry the same job with backoff.
 * - `recipient_backoff`: the pair rate limit (131056); delay only this recipient's lane.
 * - `permanent`: retrying cannot help; fail the job (BullMQ `UnrecoverableError`) and record why.
 */
export type GraphErrorKind = 'retry' | 'recipient_backoff' | 'permanent';

/** The verdict on one failure. */
export interface GraphErrorClassification {
  kind: GraphErrorKind;
  code?: number;
  title?: string;
  message?: string;
  /** `token`: the access token is expired or invalid; every send will fail until ops replace it. */
  alert?: 'token';
  /** Suggested wait before the next attempt: from `Retry-After`, or 4^attempt s for `recipient_backoff`. */
  retryAfterMs?: number;
}

/** What is known about a failure; every field is optional because a network error has none of them. */
export interface GraphFailure {
  /** HTTP status, absent when no response arrived. */
  status?: number;
  /** `error.code` from Meta's envelope, absent when the body was not one. */
  code?: number;
  title?: string;
  message?: string;
  /** Graph sets `is_transient` on some errors; honoured for codes not in the table. */
  isTransient?: boolean;
  /** Raw `Retry-After` header: delta-seconds or an HTTP date. */
  retryAfter?: string;
  /** Attempts already made for this message (BullMQ `attemptsMade`); drives the 4^attempt backoff. Default 0. */
  attempt?: number;
  /** Clock for HTTP-date `Retry-After` values; injectable for tests. */
  now?: number;
}

/** Codes that clear up with time (throughput, service trouble, app/WABA call limits, maintenance). */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([130429, 131000, 131016, 4, 80007, 2, 131057]);
/** The pair rate limit: only this recipient must wait. */
export const PAIR_RATE_LIMIT_CODE = 131056;
/** The access token is expired (190) or the app user cannot be authenticated (0). */
export const TOKEN_ALERT_CODES: ReadonlySet<number> = new Set([190, 0]);
/**
 * Documented codes retrying cannot fix. Listed even though "unknown 4xx → permanent" would catch most,
 * so they stay permanent if Meta ever answers them with a 5xx.
 */
export const PERMANENT_CODES: ReadonlySet<number> = new Set([
  0, 100, 190, 368, 131005, 131008, 131009, 131026, 131047, 131048, 131051, 133010,
]);

/** Upper bound for the pair-rate-limit backoff: Meta's own sequence stops at 256 s. */
export const MAX_RECIPIENT_BACKOFF_MS = 256_000;

/** 4^attempt seconds (1, 4, 16, 64, 256 s), capped at {@link MAX_RECIPIENT_BACKOFF_MS}. */
export function recipientBackoffMs(attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt));
  return Math.min(1000 * 4 ** exponent, MAX_RECIPIENT_BACKOFF_MS);
}

/** Parses `Retry-After` (seconds or HTTP date) into milliseconds; `undefined` when absent or unusable. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isTemplateCode(code: number): boolean {
  return code >= 132000 && code <= 132999;
}

function kindOf(failure: GraphFailure): GraphErrorKind {
  const { code, status } = failure;
  if (code !== undefined) {
    if (code === PAIR_RATE_LIMIT_CODE) return 'recipient_backoff';
    if (RETRYABLE_CODES.has(code)) return 'retry';
    if (PERMANENT_CODES.has(code) || isTemplateCode(code)) return 'permanent';
    if (failure.isTransient === true) return 'retry';
  }
  // No response, or a code not in the table: fall back to what the transport says.
  if (status === undefined) return 'retry';
  if (status >= 500 || status === 408 || status === 429) return 'retry';
  return 'permanent';
}

/**
 * Classifies a Graph API failure.
 *
 * @example
 * classifyGraphError({ status: 400, code: 131056, attempt: 2 })
 * // → { kind: 'recipient_backoff', code: 131056, retryAfterMs: 16000 }
 */
export function classifyGraphError(failure: GraphFailure): GraphErrorClassification {
  const kind = kindOf(failure);
  const result: GraphErrorClassification = { kind };
  if (failure.code !== undefined) result.code = failure.code;
  if (failure.title !== undefined) result.title = failure.title;
  if (failure.message !== undefined) result.message = failure.message;
  if (failure.code !== undefined && TOKEN_ALERT_CODES.has(failure.code)) result.alert = 'token';

  const retryAfterMs = parseRetryAfter(failure.retryAfter, failure.now);
  if (kind !== 'permanent' && retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  else if (kind === 'recipient_backoff') result.retryAfterMs = recipientBackoffMs(failure.attempt ?? 0);
  return result;
}

/** Meta answered with an error (an error envelope, or a non-2xx status without one). */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly status: number;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  /** Graph's `error.type`, e.g. `OAuthException`. */
  readonly type: string | undefined;
  readonly title: string | undefined;
  /** `error_data.details`. */
  readonly details: string | undefined;
  readonly fbtraceId: string | undefined;
  readonly classification: GraphErrorClassification;
  /** True unless the classification is `permanent`. */
  readonly retryable: boolean;

  constructor(init: {
    message: string;
    status: number;
    code?: number;
    subcode?: number;
    type?: string;
    title?: string;
    details?: string;
    fbtraceId?: string;
    classification: GraphErrorClassification;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.subcode = init.subcode;
    this.type = init.type;
    this.title = init.title;
    this.details = init.details;
    this.fbtraceId = init.fbtraceId;
    this.classification = init.classification;
    this.retryable = init.classification.kind !== 'permanent';
  }
}

/**
 * No usable answer: DNS, connection refused/reset, TLS, or timeout. Always retryable — but note that
 * after a timeout Meta may already have accepted the message, so a retry can deliver it twice.
 */
export class GraphNetworkError extends Error {
  override readonly name = 'GraphNetworkError';
  readonly retryable = true;
  readonly classification: GraphErrorClassification = { kind: 'retry' };
  /** Node/axios error code such as `ECONNRESET`, `ECONNABORTED`, `ETIMEDOUT`. */
  readonly code: string | undefined;
  readonly timedOut: boolean;

  constructor(message: string, init: { code?: string; timedOut: boolean }) {
    super(message);
    this.code = init.code;
    this.timedOut = init.timedOut;
  }
}
