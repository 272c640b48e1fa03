import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Handler, MiddlewareHandler } from 'hono';
import type { AppEnv } from './types.js';

/**
 * The route groups, each with one way of authenticating its callers:
 * - `meta`: calls from Meta (the WhatsApp webhook, the thread-control webhook): X-Hub-Signature-256
 *   over the raw body, or the verify token on the GET handshake;
 * - `crm`: `/api/crm/*`, the CRM with `Authorization: Bearer CRM_API_TOKEN`;
 * - `admin`: `/api/v1/admin/*`, the platform owner's API (organizations and their keys) with API_ADMIN_KEY;
 * - `v1`: the rest of `/api/v1/*`, the business API with an organization's API key.
 */
export const ROUTE_GROUPS = ['meta', 'crm', 'admin', 'v1'] as const;
export type RouteGroupName = (typeof ROUTE_GROUPS)[number];

export interface RouteGroupSpec {
  name: RouteGroupName;
  /** Every route of the group lives under one of these paths (a typo in a path fails at start-up, not in production). */
  prefixes: readonly string[];
  /** Paths under a prefix that belong to another group (`v1` leaves `/api/v1/admin/` to `admin`). */
  excludes?: readonly string[];
  /** The OpenAPI security requirement written into each of the group's operations, by HTTP method. */
  security: (method: string) => Record<string, string[]>[];
  /** Runs before every handler of the group. */
  auth: MiddlewareHandler<AppEnv>;
  /** The validation hook of the group's routes that pass none (otherwise the app's defaultHook). */
  hook?: (result: { success: boolean; error?: { issues: readonly ValidationIssue[] } }) => void;
}

/** What a validation hook is given of each zod issue. */
export interface ValidationIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
}

/** The only way a module adds routes: through the group whose authentication they need. */
export interface RouteGroup {
  readonly name: RouteGroupName;
  /** A route validated and documented by @hono/zod-openapi, behind the group's authentication. */
  openapi: OpenAPIHono<AppEnv>['openapi'];
  /** A route that reads its own body (e.g. raw bytes), documented by `doc` and behind the group's authentication. */
  raw(doc: RouteConfig, handler: Handler<AppEnv>): void;
}

/**
 * Binds a group to `app`. The authentication is attached to each route itself (not as a path
 * middleware), so groups can share a path prefix — Meta's thread-control webhook sits under
 * `/api/crm/` but is signed by Meta, not called with the CRM's token — and still no route of one
 * group runs another group's check, or none.
 */
export function createRouteGroup(app: OpenAPIHono<AppEnv>, spec: RouteGroupSpec): RouteGroup {
  const under = (path: string, prefix: string) => path === prefix || path === prefix.replace(/\/$/, '') || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
  const checkPath = (path: string) => {
    if (!spec.prefixes.some((prefix) => under(path, prefix)) || (spec.excludes ?? []).some((excluded) => under(path, excluded))) {
      const excluded = spec.excludes?.length ? ` except ${spec.excludes.join(', ')}` : '';
      throw new Error(`route ${path} does not belong in the ${spec.name} group (${spec.prefixes.join(', ')}${excluded})`);
    }
  };
  const openapi = ((route: RouteConfig, handler: unknown, hook?: unknown) => {
    checkPath(route.path);
    const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    return (app.openapi as (r: RouteConfig, h: unknown, k?: unknown) => unknown)({ ...route, security: spec.security(route.method), middleware: [spec.auth, ...own] }, handler, hook ?? spec.hook);
  }) as RouteGroup['openapi'];
  return {
    name: spec.name,
    openapi,
    raw(doc, handler) {
      checkPath(doc.path);
      app.openAPIRegistry.registerPath({ ...doc, security: spec.security(doc.method) });
      app.on(doc.method.toUpperCase(), doc.path.replace(/\{(\w+)\}/g, ':$1'), spec.auth, handler);
    },
  };
}
