import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../../api-keys/index.js';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { Erasure } from '../erasure.js';
import { ERASURE_DESCRIPTION, erasureExample, erasurePhone, erasureRequestSchema, erasureSchema } from '../schemas.js';

export const eraseRoute = createRoute({
  method: 'post',
  path: '/api/v1/privacy/erasures',
  summary: 'Erase a WhatsApp user’s data in this organization (needs the admin scope)',
  description: `${ERASURE_DESCRIPTION}\n\nScope: the calling organization only — its business numbers’ conversations and its own contacts, leads and tickets. The API key needs the \`admin\` scope (403 otherwise).`,
  middleware: [requireScope('admin')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: erasureRequestSchema, example: { phone: '+57 300 123 4567' } } } } },
  responses: {
    200: { description: 'Erased (counts of what went; all 0 when there was nothing left)', content: { 'application/json': { schema: erasureSchema, example: erasureExample } } },
    ...errorResponses(400, 401, 403, 409, 422),
  },
});

export function registerErase(group: RouteGroup, erasure: Erasure): void {
  group.openapi(eraseRoute, async (c) => {
    const phone = erasurePhone(c.req.valid('json').phone);
    const outcome = await erasure.erase({ orgId: c.get('auth').orgId }, phone);
    if ('openTickets' in outcome) throw new AppError('CONFLICT', 'The user has an open handover ticket; close it first (nothing was erased)', { open_tickets: outcome.openTickets });
    return c.json(outcome, 200);
  });
}
