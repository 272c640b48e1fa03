import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../platform/http/errors.js';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { idParam, taskExample, taskSchema, toTask, updateTaskSchema } from '../schemas.js';
import type { TaskRouteDeps } from './context.js';

export const updateTaskRoute = createRoute({
  method: 'patch',
  path: '/api/v1/tasks/{id}',
  summary: 'Change a task: only the fields sent change, null clears tag or note',
  request: {
    params: idParam('tk_Qm3x8yZpL0aB1cD2'),
    body: { required: true, content: { 'application/json': { schema: updateTaskSchema, example: { status: 'COMPLETED', note: null } } } },
  },
  responses: {
    200: { description: 'The task as changed', content: { 'application/json': { schema: taskSchema, example: { ...taskExample, status: 'COMPLETED', note: null } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerUpdateTask(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(updateTaskRoute, async (c) => {
    const { id } = c.req.valid('param');
    const doc = await deps.tasks.update(c.get('auth').orgId, id, c.req.valid('json'));
    if (!doc) throw new AppError('NOT_FOUND', `No task ${id}`);
    return c.json(toTask(doc), 200);
  });
}
