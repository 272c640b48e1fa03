import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../platform/http/errors.js';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { idParam, taskExample, taskOrderSchema, taskSchema, toTask } from '../schemas.js';
import type { TaskRouteDeps } from './context.js';

export const updateTaskOrderRoute = createRoute({
  method: 'patch',
  path: '/api/v1/tasks/{id}/order',
  summary: 'Move one task: set its order among its lead’s tasks',
  request: { params: idParam('tk_Qm3x8yZpL0aB1cD2'), body: { required: true, content: { 'application/json': { schema: taskOrderSchema, example: { order: 2 } } } } },
  responses: {
    200: { description: 'The task as changed', content: { 'application/json': { schema: taskSchema, example: { ...taskExample, order: 2 } } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function registerUpdateTaskOrder(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(updateTaskOrderRoute, async (c) => {
    const { id } = c.req.valid('param');
    const doc = await deps.tasks.update(c.get('auth').orgId, id, { order: c.req.valid('json').order });
    if (!doc) throw new AppError('NOT_FOUND', `No task ${id}`);
    return c.json(toTask(doc), 200);
  });
}
