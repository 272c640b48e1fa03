import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { normalizeTags } from '../normalize.js';
import { contactExample, contactListSchema, optInStatusSchema, toContact } from '../schemas.js';
import type { ContactRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  import_id: z.string().min(1).max(100).optional().openapi({ param: { name: 'import_id', in: 'query' }, example: 'imp_k2Jd9sLq0PzX7vBn' }),
  tag: z.string().min(1).max(64).optional().openapi({ param: { name: 'tag', in: 'query' }, example: 'vip' }),
  q: z.string().min(1).max(100).optional().openapi({ param: { name: 'q', in: 'query', description: 'Case-insensitive substring of name, email or phone' }, example: 'maria' }),
  opt_in_status: optInStatusSchema.optional().openapi({ param: { name: 'opt_in_status', in: 'query' }, example: 'opted_in' }),
});

export const listContactsRoute = createRoute({
  method: 'get',
  path: '/api/v1/contacts',
  summary: 'The organization’s contacts, oldest first, filtered by import, tag, text or consent status',
  request: { query },
  responses: {
    200: { description: 'A page of contacts', content: { 'application/json': { schema: contactListSchema, example: { data: [contactExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export function registerListContacts(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(listContactsRoute, async (c) => {
    const { skip, limit, import_id, tag, q, opt_in_status } = c.req.valid('query');
    const page = { skip, limit };
    const { data, total } = await deps.contacts.list(c.get('auth').orgId, { import_id, tag: tag ? normalizeTags([tag])[0] : undefined, q, opt_in_status }, page);
    return c.json(listEnvelope(data.map(toContact), total, page), 200);
  });
}
