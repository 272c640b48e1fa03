import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { contactExample, contactSchema, createContactSchema, toContact } from '../schemas.js';
import { importFor, importIdHeader, normalizeOrThrow, type ContactRouteDeps } from './context.js';

export const createContactRoute = createRoute({
  method: 'post',
  path: '/api/v1/contacts',
  summary: 'Create a contact (409 when its phone or email is another contact’s; details name that contact)',
  request: {
    headers: z.object({ 'x-import-id': z.string().min(1).max(100).optional().openapi({ param: importIdHeader }) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createContactSchema,
          example: { phone: '3001234567', name: 'María Pérez', email: 'Maria@Example.com', tags: ['VIP'], timezone: 'America/Bogota', opt_in_status: 'opted_in', opt_in_source: 'web_form' },
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: contactSchema, example: contactExample } } },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerCreateContact(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(createContactRoute, async (c) => {
    const { orgId } = c.get('auth');
    const importId = c.req.valid('header')['x-import-id'];
    const imp = importId ? await importFor(deps, orgId, importId) : undefined;
    const body = c.req.valid('json');
    const value = normalizeOrThrow(body);
    const doc = await deps.contacts.create(orgId, { ...value, phone: value.phone ?? '', source: value.source ?? imp?.source }, { importId: imp?._id });
    return c.json(toContact(doc), 201);
  });
}
