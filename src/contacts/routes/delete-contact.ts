import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam } from '../schemas.js';
import type { ContactRouteDeps } from './context.js';

export const deleteContactRoute = createRoute({
  method: 'delete',
  path: '/api/v1/contacts/{id}',
  summary: 'Delete a contact',
  request: { params: idParam('ct_Qm3x8yZpL0aB1cD2') },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
});

export function registerDeleteContact(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(deleteContactRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await deps.contacts.delete(c.get('auth').orgId, id))) throw new AppError('NOT_FOUND', `No contact ${id}`);
    return c.body(null, 204);
  });
}
