import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The closed set of error codes Puente answers with. Add here first; the status follows from the code. */
export const errorStatus = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  INVALID_WEBHOOK_PAYLOAD: 400,
  TICKET_PHONE_MISMATCH: 400,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  TICKET_CLOSED: 409,
  TICKET_NOT_ACTIVE: 409,
  CUSTOMER_SERVICE_WINDOW_CLOSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** A well-formed request with a value outside what a field allows (an unknown enum member). */
  INVALID_VALUE: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  NOT_CONFIGURED: 503,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

/** The one error body shape: `{ "error": { "code", "message", "details"? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error that maps to an HTTP answer. Throw it anywhere in a handler; `onError` renders it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): ContentfulStatusCode {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return new AppError(code, message, details).toBody();
}

/**
 * The error for a request that failed validation: 422 INVALID_VALUE when every problem is a value
 * outside an allowed set (an unknown enum member: the request was understood, the value refused),
 * 400 VALIDATION_ERROR otherwise (missing fields, wrong types, bad formats). Details name the fields.
 */
export function validationError(issues: readonly { code: string; path: readonly PropertyKey[]; message: string }[]): AppError {
  const details = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const onlyValues = issues.length > 0 && issues.every((i) => i.code === 'invalid_value');
  return onlyValues ? new AppError('INVALID_VALUE', 'A value is not one of those allowed', details) : new AppError('VALIDATION_ERROR', 'The request is invalid', details);
}
