import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { contactExample, contactSchema, idParam, toContact, updateContactSchema } from '../schemas.js';
import { normalizeOrThrow, type ContactRouteDeps } from './context.js';

export const updateContactRoute = createRoute({
  method: 'put',
  path: '/api/v1/contacts/{id}',
  summary: 'Change a contact: the fields sent replace the stored ones (tags and custom_fields whole), null clears one; a new opt_in_status is added to the consent history',
  request: {
    params: idParam('ct_Qm3x8yZpL0aB1cD2'),
    body: { required: true, content: { 'application/json': { schema: updateContactSchema, example: { locale: 'es-ES', timezone: 'Europe/Madrid', opt_in_status: 'opted_out', opt_in_source: 'whatsapp_stop' } } } },
  },
  responses: {
    200: { description: 'The contact as changed', content: { 'application/json': { schema: contactSchema, example: contactExample } } },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerUpdateContact(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(updateContactRoute, async (c) => {
    const { id } = c.req.valid('param');
    const value = normalizeOrThrow(c.req.valid('json'));
    const doc = await deps.contacts.update(c.get('auth').orgId, id, value);
    if (!doc) throw new AppError('NOT_FOUND', `No contact ${id}`);
    return c.json(toContact(doc), 200);
  });
}
