import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam, importExample, importSchema, toImport, updateImportSchema } from '../schemas.js';
import type { ContactRouteDeps } from './context.js';

export const updateImportRoute = createRoute({
  method: 'put',
  path: '/api/v1/imports/{id}',
  summary: 'Set an import’s status (processing, completed, failed) and total_rows; bulk uploads are taken only while it is processing',
  request: { params: idParam('imp_k2Jd9sLq0PzX7vBn'), body: { required: true, content: { 'application/json': { schema: updateImportSchema, example: { status: 'completed', total_rows: 500 } } } } },
  responses: {
    200: { description: 'The import as changed', content: { 'application/json': { schema: importSchema, example: { ...importExample, status: 'completed', total_rows: 500 } } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerUpdateImport(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(updateImportRoute, async (c) => {
    const { id } = c.req.valid('param');
    const doc = await deps.imports.update(c.get('auth').orgId, id, c.req.valid('json'));
    if (!doc) throw new AppError('NOT_FOUND', `No import ${id}`);
    return c.json(toImport(doc), 200);
  });
}
