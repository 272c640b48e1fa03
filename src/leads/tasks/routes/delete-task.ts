import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../platform/http/errors.js';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { idParam, taskSuccessSchema } from '../schemas.js';
import { TASK_DELETED, type TaskRouteDeps } from './context.js';

export const deleteTaskRoute = createRoute({
  method: 'delete',
  path: '/api/v1/tasks/{id}',
  summary: 'Delete a task',
  request: { params: idParam('tk_Qm3x8yZpL0aB1cD2') },
  responses: {
    200: { description: 'Deleted', content: { 'application/json': { schema: taskSuccessSchema, example: TASK_DELETED } } },
    ...errorResponses(401, 403, 404),
  },
});

export function registerDeleteTask(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(deleteTaskRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await deps.tasks.delete(c.get('auth').orgId, id))) throw new AppError('NOT_FOUND', `No task ${id}`);
    return c.json(TASK_DELETED, 200);
  });
}
