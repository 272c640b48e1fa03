/**
 * Graph API error answers, shaped as Meta sends them (test/fixtures/whatsapp/error-*.json):
 * `{ error: { message, type, code, error_subcode?, error_data?: { messaging_product, details }, fbtrace_id } }`.
 * Puente keys its decisions on `error.code`, so each rule below picks the code Meta uses for it.
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorBody {
  error: {
    message: string;
    type: 'OAuthException';
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

/** A rejected request: the HTTP status and Meta's body. Validators throw it; the app answers it. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: number;
  readonly details: string | undefined;
  readonly subcode: number | undefined;

  constructor(init: { status: number; code: number; message: string; details?: string; subcode?: number }) {
    super(init.message);
    this.name = 'GraphError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.subcode = init.subcode;
  }

  toBody(): GraphErrorBody {
    return {
      error: {
        message: this.message,
        type: 'OAuthException',
        code: this.code,
        ...(this.subcode === undefined ? {} : { error_subcode: this.subcode }),
        // Meta's 190 answers carry no error_data (error-190-response.json); the message errors do.
        ...(this.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp' as const, details: this.details } }),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

/** Meta's trace ids look like `O_g-0hjXZRaKUTU8sbJyenu`: 23 url-safe base64 characters. */
function fbtraceId(): string {
  return randomBytes(18).toString('base64url').slice(0, 23);
}

/** 190: the bearer token is missing or is not the one Meta issued (Meta answers it with 401). */
export function invalidToken(missing: boolean): GraphError {
  return new GraphError({
    status: 401,
    code: 190,
    message: missing ? 'An active access token must be used to query information about the current user.' : 'Invalid OAuth access token - Cannot parse access token',
  });
}

/** 100: malformed or missing fields, unknown keys, unknown objects. `param` uses Meta's `text['body']` notation. */
export function invalidParameter(message: string, details: string = message): GraphError {
  return new GraphError({ status: 400, code: 100, message: `(#100) ${message}`, details });
}

export function requiredParameter(param: string): GraphError {
  return invalidParameter(`The parameter ${param} is required.`);
}

export function unexpectedKey(key: string, param: string): GraphError {
  return invalidParameter(`Unexpected key "${key}" on param "${param}".`);
}

/** 131009: a field is present and well typed but its value breaks a rule (length, count, uniqueness, format). */
export function invalidValue(details: string): GraphError {
  return new GraphError({ status: 400, code: 131009, message: '(#131009) Parameter value is not valid', details });
}

/** 131008: a template parameter Meta needs is empty (the one value rule Meta reports as "missing"). */
export function missingValue(details: string): GraphError {
  return new GraphError({ status: 400, code: 131008, message: '(#131008) Required parameter is missing', details });
}

/** 131047: a free-form message outside the 24 h customer service window (error-131047-response.json). */
export function reEngagement(): GraphError {
  return new GraphError({
    status: 400,
    code: 131047,
    message: '(#131047) Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  });
}

/** 100 / subcode 33: the phone number id (or WhatsApp Business Account id) in the path is not one this token can use. */
export function unknownObject(id: string, method: 'post' | 'get' = 'post'): GraphError {
  return new GraphError({
    status: 400,
    code: 100,
    subcode: 33,
    message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    details: method === 'post' ? `Unknown phone number id ${id}` : `Unknown WhatsApp Business Account id ${id}`,
  });
}
