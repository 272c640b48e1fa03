import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { templateListSchema } from '../schemas.js';
import { campaignsHook, type CampaignRouteDeps } from './context.js';

const query = paginationQuerySchema.extend({
  status: z.string().trim().toUpperCase().pipe(z.string().regex(/^[A-Z_]{1,40}$/)).optional().openapi({ param: { name: 'status', in: 'query', description: 'APPROVED, PENDING, REJECTED, PAUSED, DISABLED…' }, example: 'APPROVED' }),
  name: z.string().trim().min(1).max(512).optional().openapi({ param: { name: 'name', in: 'query' }, example: 'promo_hogar' }),
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ param: { name: 'refresh', in: 'query', description: 'true: read the Graph API now instead of the copy of the last 5 minutes' }, example: 'false' }),
});

export const listTemplatesRoute = createRoute({
  method: 'get',
  path: '/api/v1/templates',
  summary: 'The WhatsApp Business Account’s message templates (from the Graph API, kept 5 minutes) with the parameters each component takes',
  description: 'Needs WHATSAPP_BUSINESS_ACCOUNT_ID (503 NOT_CONFIGURED without it); 503 SERVICE_UNAVAILABLE when the Graph API cannot be read.',
  request: { query },
  responses: {
    200: {
      description: 'A page of templates, by name then language',
      content: {
        'application/json': {
          schema: templateListSchema,
          example: {
            data: [
              {
                id: '1234567890',
                name: 'promo_hogar',
                language: 'es',
                category: 'MARKETING',
                status: 'APPROVED',
                parameter_format: 'POSITIONAL',
                components: [
                  { type: 'BODY', format: null, text: 'Hola {{1}}, conoce {{2}} con 50% de descuento.', parameter_count: 2, parameter_names: [] },
                  { type: 'FOOTER', format: null, text: 'Responde BAJA para no recibir más', parameter_count: 0, parameter_names: [] },
                ],
                body_parameter_count: 2,
                header_parameter_count: 0,
                header_media_format: null,
                button_parameter_count: 0,
              },
            ],
            total: 1,
            skip: 0,
            limit: 50,
          },
        },
      },
    },
    ...errorResponses(400, 401, 403, 503),
  },
});

export function registerListTemplates(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    listTemplatesRoute,
    async (c) => {
      const { skip, limit, status, name, refresh } = c.req.valid('query');
      const all = await deps.templates.list({ refresh: refresh === 'true' });
      const matching = all.filter((t) => (!status || t.status === status) && (!name || t.name === name)).sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
      return c.json(listEnvelope(matching.slice(skip, skip + limit), matching.length, { skip, limit }), 200);
    },
    campaignsHook,
  );
}
