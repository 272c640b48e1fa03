import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { every } from 'hono/combine';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { bearerAuth } from '../platform/http/auth.js';
import { createErrorHandler } from '../platform/http/error-handler.js';
import { AppError, validationError } from '../platform/http/errors.js';
import { emptyJsonBodyIsNoBody, limitBody, observeRequests } from '../platform/http/middleware.js';
import { rateLimit } from '../platform/http/rate-limit.js';
import { createRouteGroup, ROUTE_GROUPS, type RouteGroup, type RouteGroupName, type RouteGroupSpec } from '../platform/http/route-group.js';
import type { AppEnv } from '../platform/http/types.js';
import { PUENTE_VERSION } from '../platform/version.js';
import { metaAuth } from '../whatsapp/webhook-auth.js';
import type { Deps } from './deps.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes, type WorkerProcessesProbe } from './routes/health.js';

/** Largest request body accepted anywhere (Meta's webhook batches included). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An app mounted by the dev entry only (the playground): it is not part of the product's API. */
export interface DevMount {
  path: string;
  app: Hono;
}

/** The business API's validation: 422 for a value outside an allowed set, 400 for the rest (errors.ts). */
const businessApiHook: RouteGroupSpec['hook'] = (result) => {
  if (!result.success) throw validationError(result.error?.issues ?? []);
};

/** The route groups and how each authenticates (see route-group.ts). */
function groupSpecs(deps: Pick<Deps, 'config' | 'apiKeys' | 'apiRateLimiter'>): Record<RouteGroupName, Omit<RouteGroupSpec, 'name'>> {
  const { config } = deps;
  return {
    meta: {
      prefixes: ['/'],
      security: (method) => (method.toLowerCase() === 'get' ? [{ metaVerifyToken: [] }] : [{ metaSignature: [] }]),
      auth: metaAuth({ appSecret: config.META_WEBHOOK_SECRET, verifyToken: config.WEBHOOK_VERIFY_TOKEN }),
    },
    crm: { prefixes: ['/api/crm/'], security: () => [{ crmBearer: [] }], auth: bearerAuth(config.CRM_API_TOKEN) },
    // The platform owner's routes; without API_ADMIN_KEY they answer 404 as if absent.
    admin: { prefixes: ['/api/v1/admin/'], security: (): Record<string, string[]>[] => [{ adminKey: [] }, { adminKeyBearer: [] }], auth: deps.apiKeys.adminAuth, hook: businessApiHook },
    // An organization's API key decides the organization of every request.
    v1: {
      prefixes: ['/api/v1/'],
      excludes: ['/api/v1/admin/'],
      security: (): Record<string, string[]>[] => [{ apiKey: [] }, { apiKeyBearer: [] }],
      // The key first (it names the organization), then that organization's budget.
      auth: every(deps.apiKeys.authenticate, rateLimit(deps.apiRateLimiter, (c) => c.get('auth').orgId)),
      hook: businessApiHook,
    },
  };
}

function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  const register = app.openAPIRegistry.registerComponent.bind(app.openAPIRegistry, 'securitySchemes');
  register('metaSignature', { type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256', description: 'sha256=<hex HMAC-SHA256 of the raw body with META_WEBHOOK_SECRET>' });
  register('metaVerifyToken', { type: 'apiKey', in: 'query', name: 'hub.verify_token', description: 'WEBHOOK_VERIFY_TOKEN (answers 403 when wrong, as Meta expects)' });
  register('crmBearer', { type: 'http', scheme: 'bearer', description: 'CRM_API_TOKEN' });
  register('apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key', description: "An organization's API key" });
  register('apiKeyBearer', { type: 'http', scheme: 'bearer', description: "An organization's API key, as a bearer token" });
  register('adminKey', { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API_ADMIN_KEY (the admin routes answer 404 when it is not configured)' });
  register('adminKeyBearer', { type: 'http', scheme: 'bearer', description: 'API_ADMIN_KEY, as a bearer token' });
}

/**
 * Builds the public HTTP app: `/healthz` and a status-only `/readyz` for load balancers, every
 * module's routes, each in the group whose authentication it needs, and the OpenAPI document with
 * its docs page. `/metrics`, the detailed `/readyz` and Bull Board are on the ops listener
 * (ops-app.ts). `extras.workerProcesses` (forked workers of role `all`) adds a `workers` check to
 * /readyz.
 */
export function createApp(deps: Deps, extras: { workerProcesses?: WorkerProcessesProbe; devMounts?: DevMount[] } = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError('VALIDATION_ERROR', 'The request is invalid', result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
    },
  });
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  // Meta's webhook is the per-message path: its accepted requests are counted, not logged at info.
  app.use('*', observeRequests(deps.logger, deps.metrics, { quietPrefixes: (extras.devMounts ?? []).map((mount) => mount.path), quietWhenOk: ['/webhook'] }));
  app.use('*', secureHeaders({ contentSecurityPolicy: undefined }));
  app.use('*', limitBody(MAX_BODY_BYTES, Object.assign({}, ...deps.modules.map((m) => m.bodyLimits ?? {})) as Record<string, number>));
  // Not on the webhook's path: it needs its exact bytes (and pays for no extra check).
  app.use('/api/*', emptyJsonBodyIsNoBody());

  app.route('/', healthRoutes(deps, extras.workerProcesses ? { workerProcesses: extras.workerProcesses } : {}));

  registerSecuritySchemes(app);
  const specs = groupSpecs(deps);
  const groups = Object.fromEntries(ROUTE_GROUPS.map((name) => [name, createRouteGroup(app, { name, ...specs[name] })])) as Record<RouteGroupName, RouteGroup>;
  for (const module of deps.modules) {
    for (const name of ROUTE_GROUPS) module.routes?.[name]?.(groups[name]);
  }

  for (const mount of extras.devMounts ?? []) app.route(mount.path, mount.app);

  // Built once, now that every documented route is registered (zod-openapi's app.doc() would
  // rebuild it from the zod schemas on every request).
  const openApiDocument = JSON.stringify(app.getOpenAPIDocument({ openapi: '3.0.3', info: { title: 'Puente API', version: PUENTE_VERSION } }));
  app.get('/openapi.json', (c) => c.body(openApiDocument, 200, { 'Content-Type': 'application/json; charset=UTF-8' }));
  app.route('/', docsRoutes('/openapi.json'));

  // Under a protected prefix an unknown path asks for the group's credentials first, so a caller
  // without them cannot tell which routes exist; the longest matching prefix decides the group
  // (/api/v1/admin/… is the admin group's, not v1's).
  const guarded = ROUTE_GROUPS.map((name) => specs[name])
    .filter((spec) => !spec.prefixes.includes('/'))
    .flatMap((spec) => spec.prefixes.map((prefix) => ({ prefix, spec })))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  app.notFound(async (c) => {
    const spec = guarded.find((g) => c.req.path.startsWith(g.prefix))?.spec;
    if (spec) await spec.auth(c, async () => undefined);
    return c.json(new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`).toBody(), 404);
  });
  app.onError(createErrorHandler(deps.metrics, deps.logger));
  return app;
}
