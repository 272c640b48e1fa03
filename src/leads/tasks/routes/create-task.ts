import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../../platform/http/route-group.js';
import { createTaskSchema, idParam, taskExample, taskSchema, toTask } from '../schemas.js';
import { requireLead, type TaskRouteDeps } from './context.js';

export const createTaskRoute = createRoute({
  method: 'post',
  path: '/api/v1/leads/{id}/tasks',
  summary: 'Add a follow-up task to a lead (status NEW and order 0 unless given)',
  request: {
    params: idParam('ld_k2Jd9sLq0PzX7vBn'),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createTaskSchema,
          example: { action: 'Llamar para agendar prueba de manejo', target_name: 'Mazda CX-30 2024', target_info: 'Placa ABC123, color gris', tag: 'test-drive', order: 0 },
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: taskSchema, example: taskExample } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerCreateTask(group: RouteGroup, deps: TaskRouteDeps): void {
  group.openapi(createTaskRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await requireLead(deps, orgId, id);
    return c.json(toTask(await deps.tasks.create(orgId, id, body)), 201);
  });
}
