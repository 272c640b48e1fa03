import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import { listEnvelope } from '../../../platform/http/pagination.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { idParam, leadTasksQuerySchema, taskExample, taskListSchema, toTask } from '../schemas.js';
import { filtersOf, requireLead, type TaskRouteDeps } from './context.js';

export const listLeadTasksRoute = createRoute({
  method: 'get',
  path: '/api/v1/leads/{id}/tasks',
  summary: 'A lead’s tasks, by order unless sorted otherwise, filtered by text, status, action, target_name or tag',
  request: { params: idParam('ld_k2Jd9sLq0PzX7vBn'), query: leadTasksQuerySchema },
  responses: {
    200: { description: 'A page of the lead’s tasks', content: { 'application/json': { schema: taskListSchema, example: { data: [taskExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerListLeadTasks(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(listLeadTasksRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    const { skip, limit, sort_by, sort_order, ...query } = c.req.valid('query');
    await requireLead(deps, orgId, id);
    const page = { skip, limit };
    const { data, total } = await deps.tasks.list(orgId, { ...filtersOf(query), lead_id: id }, { sort_by, sort_order }, page);
    return c.json(listEnvelope(data.map(toTask), total, page), 200);
  });
}
