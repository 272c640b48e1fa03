import { z } from '@hono/zod-openapi';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `?skip=&limit=` of every business API list (limit 1–500, default 50). */
export const paginationQuerySchema = z.object({
  skip: z.coerce.number().int().min(0).default(0).openapi({ param: { name: 'skip', in: 'query' }, example: 0 }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT).openapi({ param: { name: 'limit', in: 'query' }, example: DEFAULT_PAGE_LIMIT }),
});
export type Pagination = z.infer<typeof paginationQuerySchema>;

export interface ListEnvelope<T> {
  data: T[];
  total: number;
  skip: number;
  limit: number;
}

/** The list answer: `{ data, total, skip, limit }` (`total` counts every match, not just this page). */
export function listEnvelope<T>(data: T[], total: number, page: Pagination): ListEnvelope<T> {
  return { data, total, skip: page.skip, limit: page.limit };
}

/** The OpenAPI schema of a list of `item`s, named `name` in the document. */
export function listEnvelopeSchema<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), total: z.number().int(), skip: z.number().int(), limit: z.number().int() }).openapi(name);
}
