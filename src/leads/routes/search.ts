/** Finding leads and counting the pipeline. */
import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import { listEnvelope, paginationQuerySchema } from '../../platform/http/pagination.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { leadExample, leadListSchema, leadStageSchema, qualificationStatusSchema, statsSchema, toLead } from '../schemas.js';
import type { LeadRouteDeps } from './context.js';

const param = (name: string, description?: string) => ({ param: { name, in: 'query' as const, ...(description ? { description } : {}) } });
const score = (name: string) => z.coerce.number().min(0).max(100).optional().openapi({ ...param(name), example: name === 'min_score' ? 70 : 100 });

const query = paginationQuerySchema.extend({
  query: z.string().trim().min(1).max(100).optional().openapi({ ...param('query', 'Case- and accent-insensitive text in the contact’s name, email or phone'), example: 'maria' }),
  stage: leadStageSchema.optional().openapi({ ...param('stage'), example: 'mql' }),
  min_score: score('min_score'),
  max_score: score('max_score'),
  assignee_id: z.string().min(1).max(100).optional().openapi({ ...param('assignee_id'), example: 'rep-5' }),
  qualification_status: qualificationStatusSchema.optional().openapi({ ...param('qualification_status'), example: 'qualified' }),
  contact_id: z.string().min(1).max(100).optional().openapi({ ...param('contact_id'), example: 'ct_Qm3x8yZpL0aB1cD2' }),
  source: z.string().min(1).max(100).optional().openapi({ ...param('source'), example: 'whatsapp' }),
});

export const searchLeadsRoute = createRoute({
  method: 'get',
  path: '/api/v1/leads/search',
  summary: 'Search and filter leads, newest first',
  request: { query },
  responses: {
    200: { description: 'A page of leads', content: { 'application/json': { schema: leadListSchema, example: { data: [leadExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export const leadStatsRoute = createRoute({
  method: 'get',
  path: '/api/v1/leads/stats',
  summary: 'Counts per stage and qualification, average score, pipeline and won value',
  responses: {
    200: {
      description: 'The organization’s pipeline',
      content: {
        'application/json': {
          schema: statsSchema,
          example: { total_leads: 150, lead_count: 45, mql_count: 38, sql_count: 25, opportunity_count: 20, customer_count: 18, lost_count: 4, avg_score: 67.5, total_pipeline_value: 450000, won_value: 120000, qualified_count: 83, unqualified_count: 42, disqualified_count: 15, unscored_count: 10 },
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

export function registerSearchRoutes(group: RouteGroup, deps: LeadRouteDeps): void {
  group.openapi(searchLeadsRoute, async (c) => {
    const { skip, limit, ...filters } = c.req.valid('query');
    const page = { skip, limit };
    const { data, total } = await deps.leads.search(c.get('auth').orgId, filters, page);
    return c.json(listEnvelope(data.map(toLead), total, page), 200);
  });
  group.openapi(leadStatsRoute, async (c) => c.json(await deps.leads.stats(c.get('auth').orgId), 200));
}
