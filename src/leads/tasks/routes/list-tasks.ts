import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import { listEnvelope } from '../../../platform/http/pagination.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { taskExample, taskListSchema, tasksQuerySchema, toTask } from '../schemas.js';
import { filtersOf, type TaskRouteDeps } from './context.js';

export const listTasksRoute = createRoute({
  method: 'get',
  path: '/api/v1/tasks',
  summary: 'The tasks of every lead of the organization, by order unless sorted otherwise, filtered by text, status, action, target_name, tag or lead',
  request: { query: tasksQuerySchema },
  responses: {
    200: { description: 'A page of tasks', content: { 'application/json': { schema: taskListSchema, example: { data: [taskExample], total: 1, skip: 0, limit: 50 } } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export function registerListTasks(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(listTasksRoute, async (c) => {
    const { skip, limit, sort_by, sort_order, ...query } = c.req.valid('query');
    const page = { skip, limit };
    const { data, total } = await deps.tasks.list(c.get('auth').orgId, filtersOf(query), { sort_by, sort_order }, page);
    return c.json(listEnvelope(data.map(toTask), total, page), 200);
  });
}
