import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { MAX_REORDER_ENTRIES } from '../models.js';
import { idParam, reorderTasksSchema, taskSuccessSchema } from '../schemas.js';
import { requireLead, TASKS_REORDERED, type TaskRouteDeps } from './context.js';

export const reorderTasksRoute = createRoute({
  method: 'patch',
  path: '/api/v1/leads/{id}/tasks/reorder',
  summary: 'Set the order of several of a lead’s tasks at once, all or nothing',
  description: [
    `Every entry is checked before anything is written: 1–${MAX_REORDER_ENTRIES} entries, no id twice, and every id a task of this lead.`,
    'An unknown id, or one of another lead’s task, is a 400 whose details name each offending entry (`path`, `id`); nothing changes then.',
  ].join('\n\n'),
  request: {
    params: idParam('ld_k2Jd9sLq0PzX7vBn'),
    body: { required: true, content: { 'application/json': { schema: reorderTasksSchema, example: { task_orders: [{ id: 'tk_Qm3x8yZpL0aB1cD2', order: 1 }, { id: 'tk_Zx9y8W7v6U5t4S3r', order: 0 }] } } } },
  },
  responses: {
    200: { description: 'Reordered', content: { 'application/json': { schema: taskSuccessSchema, example: TASKS_REORDERED } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function registerReorderTasks(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(reorderTasksRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    const { task_orders } = c.req.valid('json');
    await requireLead(deps, orgId, id);
    await deps.tasks.reorder(orgId, id, task_orders);
    return c.json(TASKS_REORDERED, 200);
  });
}
