/**
 * The playground API's error handling: every failure answers `{ error: { code, message, details? } }`
 * (Puente's own shape), 400 for bad input, 404 for an unknown ticket, 502 when a simulator's call
 * to Puente failed (with Puente's message), never a 500 with a stack.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body = { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
  return c.json({ error: body }, error.status);
}

/** Wraps a handler so a thrown ApiError (or anything else) becomes the error shape. */
export function handle(fn: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(c, err);
      return errorResponse(c, upstreamError(err));
    }
  };
}

/** The JSON body; an empty body reads as `{}`. */
export async function readJson(c: Context): Promise<unknown> {
  const raw = await c.req.text();
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(400, 'MALFORMED_JSON', 'The body is not valid JSON');
  }
}

/** Parses with a zod schema or throws a 400 naming every problem. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || what, message: issue.message }));
  throw new ApiError(400, 'VALIDATION_ERROR', `Invalid ${what}`, details);
}

interface FailureLike {
  message?: unknown;
  status?: unknown;
  statusCode?: unknown;
  body?: unknown;
  responseBody?: unknown;
  response?: unknown;
  cause?: unknown;
}

function puenteMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return puenteMessage(JSON.parse(body) as unknown);
    } catch {
      return body.trim() === '' ? undefined : body.slice(0, 500);
    }
  }
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
      const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
      return `${code}${error.message}`;
    }
    if (typeof error === 'string') return error;
  }
  return undefined;
}

/**
 * A simulator call that failed: Puente answered non-2xx (the error carries its status and body) or
 * could not be reached. 502 with Puente's message, so the page can show it.
 */
export function upstreamError(err: unknown): ApiError {
  const failure: FailureLike = err && typeof err === 'object' ? (err as FailureLike) : {};
  const status = typeof failure.status === 'number' ? failure.status : typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
  const body = failure.body ?? failure.responseBody ?? failure.response;
  const fromPuente = puenteMessage(body);
  const own = err instanceof Error ? err.message : typeof failure.message === 'string' ? failure.message : String(err);
  const message = fromPuente ? `Puente respondió ${status ?? 'un error'}: ${fromPuente}` : own || 'La llamada a Puente falló';
  const details = status === undefined && body === undefined ? undefined : { status, body };
  return new ApiError(502, status === undefined ? 'UPSTREAM_FAILED' : 'PUENTE_REFUSED', message, details);
}
