import { z } from '@hono/zod-openapi';

/** The one error body shape, for the OpenAPI document. */
export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi('Error');

const descriptions: Record<number, string> = {
  400: 'Invalid request (details name the fields)',
  401: 'Missing or invalid credentials or signature',
  403: 'Forbidden',
  404: 'Not found',
  409: "The resource's state forbids this call",
  413: 'Body over 1 MiB',
  422: 'A value outside the allowed set or range (details name the fields)',
  429: 'Rate limited: see Retry-After and the RateLimit-* headers',
  503: 'A dependency is unavailable; retry later',
};

/** OpenAPI responses for the given error statuses, all in the shared error shape. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: descriptions[status] ?? 'Error', content: { 'application/json': { schema: errorBodySchema } } }]),
  );
}
