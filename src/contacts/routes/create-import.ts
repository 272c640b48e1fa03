import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { createImportSchema, importExample, importSchema, toImport } from '../schemas.js';
import type { ContactRouteDeps } from './context.js';

export const createImportRoute = createRoute({
  method: 'post',
  path: '/api/v1/imports',
  summary: 'Open an import (a cohort of contacts): status processing until you PUT completed or failed',
  request: { body: { required: true, content: { 'application/json': { schema: createImportSchema, example: { source: 'salesforce', name: 'Leads feria enero' } } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: importSchema, example: { ...importExample, created: 0, failed: 0, errors: [] } } } },
    ...errorResponses(400, 401, 403),
  },
});

export function registerCreateImport(group: RouteGroup, deps: ContactRouteDeps): void {
  group.openapi(createImportRoute, async (c) => c.json(toImport(await deps.imports.create(c.get('auth').orgId, c.req.valid('json'))), 201));
}
