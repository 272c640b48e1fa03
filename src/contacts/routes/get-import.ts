import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { idParam, importExample, importSchema, toImport } from '../schemas.js';
import { importFor, type ContactRouteDeps } from './context.js';

export const getImportRoute = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}',
  summary: 'An import with its counts (created, updated, failed) and row errors',
  request: { params: idParam('imp_k2Jd9sLq0PzX7vBn') },
  responses: { 200: { description: 'The import', content: { 'application/json': { schema: importSchema, example: importExample } } }, ...errorResponses(401, 403, 404) },
});

export function registerGetImport(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(getImportRoute, async (c) => c.json(toImport(await importFor(deps, c.get('auth').orgId, c.req.valid('param').id)), 200));
}
