import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from './errors.js';
import type { AppEnv } from './types.js';
import type { Metrics } from '../metrics/registry.js';
import type { Logger } from '../logging/logger.js';

const codeForStatus: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Converts anything thrown by a handler into an {@link AppError}; unknown errors become INTERNAL_ERROR. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const message = err.message || 'Request failed';
    if (err.status === 400 && /json/i.test(message)) return new AppError('MALFORMED_JSON', 'The request body is not valid JSON');
    const code = codeForStatus[err.status];
    if (code) return new AppError(code, message);
  }
  return new AppError('INTERNAL_ERROR', 'Something went wrong on our side; it has been logged');
}

/** The one `onError`: renders every error in the same shape and logs the unexpected ones with the request id. */
export function createErrorHandler(metrics: Metrics, fallbackLogger: Logger): ErrorHandler<AppEnv> {
  return (err, c: Context<AppEnv>) => {
    const appError = toAppError(err);
    if (appError.code === 'INTERNAL_ERROR') {
      const logger = c.get('logger') ?? fallbackLogger;
      logger.error({ err, path: c.req.path }, 'unhandled error');
      metrics.unhandledErrors.inc({ route: c.req.routePath });
    }
    return c.json(appError.toBody(), appError.status as ContentfulStatusCode);
  };
}
