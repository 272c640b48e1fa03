import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { Erasure } from '../erasure.js';
import { ERASURE_DESCRIPTION, erasureExample, erasurePhone, erasureRequestSchema, erasureSchema } from '../schemas.js';

export const adminEraseRoute = createRoute({
  method: 'post',
  path: '/api/v1/admin/privacy/erasures',
  summary: 'Erase a WhatsApp user’s data in every organization (the platform owner, with API_ADMIN_KEY)',
  description: `${ERASURE_DESCRIPTION}\n\nScope: every organization — every business number’s conversations and every organization’s contacts, leads and tickets. An open ticket in any organization answers 409.`,
  request: { body: { required: true, content: { 'application/json': { schema: erasureRequestSchema, example: { phone: '573001234567' } } } } },
  responses: {
    200: { description: 'Erased (counts of what went; all 0 when there was nothing left)', content: { 'application/json': { schema: erasureSchema, example: erasureExample } } },
    ...errorResponses(400, 401, 404, 409, 422),
  },
});

export function registerAdminErase(group: RouteGroup, erasure: Erasure): void {
  group.openapi(adminEraseRoute, async (c) => {
    const phone = erasurePhone(c.req.valid('json').phone);
    const outcome = await erasure.erase({ allOrganizations: true }, phone);
    if ('openTickets' in outcome) throw new AppError('CONFLICT', 'The user has an open handover ticket; close it first (nothing was erased)', { open_tickets: outcome.openTickets });
    return c.json(outcome, 200);
  });
}
