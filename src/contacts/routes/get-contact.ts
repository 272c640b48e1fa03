import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { contactExample, contactSchema, idParam, toContact } from '../schemas.js';
import type { ContactRouteDeps } from './context.js';

export const getContactRoute = createRoute({
  method: 'get',
  path: '/api/v1/contacts/{id}',
  summary: 'A contact of the organization (another organization’s is 404)',
  request: { params: idParam('ct_Qm3x8yZpL0aB1cD2') },
  responses: { 200: { description: 'The contact', content: { 'application/json': { schema: contactSchema, example: contactExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetContact(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(getContactRoute, async (c) => {
    const { id } = c.req.valid('param');
    const doc = await deps.contacts.get(c.get('auth').orgId, id);
    if (!doc) throw new AppError('NOT_FOUND', `No contact ${id}`);
    return c.json(toContact(doc), 200);
  });
}
