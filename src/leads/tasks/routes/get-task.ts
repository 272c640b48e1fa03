import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { idParam, taskExample, taskSchema, toTask } from '../schemas.js';
import { taskOr404, type TaskRouteDeps } from './context.js';

export const getTaskRoute = createRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}',
  summary: 'A task of the organization (another organization’s is 404)',
  request: { params: idParam('tk_Qm3x8yZpL0aB1cD2') },
  responses: { 200: { description: 'The task', content: { 'application/json': { schema: taskSchema, example: taskExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetTask(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(getTaskRoute, async (c) => c.json(toTask(await taskOr404(deps, c.get('auth').orgId, c.req.valid('param').id)), 200));
}
