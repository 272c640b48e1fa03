import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { errorBody } from '../src/platform/http/errors.js';
import type { QueueRegistry } from './registry.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardAuth {
  user: string | undefined;
  password: string | undefined;
  /** Show queues and jobs but refuse every change (BULL_BOARD_READ_ONLY, default true). */
  readOnly?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a change requested from another site (403). A browser that holds the board's Basic
 * credentials sends them with any request to it, a form POST from another site included; it also
 * says where the request comes from: `Sec-Fetch-Site` (HTTPS and localhost), else `Origin`, which
 * must then name this host. A request with neither comes from no browser page (curl, a script)
 * and still needs the credentials. The request's own host is the one its URL was built from (the
 * `Host` header on Node): a proxy in front must pass it on unchanged.
 */
export function refuseCrossSiteChanges(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    let sameOrigin = true;
    if (site !== undefined) sameOrigin = site === 'same-origin';
    else if (origin !== undefined) {
      try {
        sameOrigin = new URL(origin).host === new URL(c.req.url).host;
      } catch {
        sameOrigin = false; // `Origin: null` (a sandboxed or file: page) or garbage
      }
    }
    if (!sameOrigin) return c.json(errorBody('FORBIDDEN', 'Bull Board accepts changes only from its own pages'), 403);
    return next();
  };
}

/**
 * Bull Board behind basic auth. Returns `undefined` when no credentials are configured: the
 * dashboard can retry, delete and promote jobs, so it is never served open. Read-only by default
 * (every queue in `readOnlyMode`: the UI hides the actions and the API answers 405 to them), and a
 * change is accepted only from the board's own pages.
 */
export function createBullBoardApp(queues: QueueRegistry, auth: BullBoardAuth): Hono | undefined {
  if (!auth.user || !auth.password) return undefined;
  const readOnly = auth.readOnly ?? true;
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnly ? 'Puente queues (read-only)' : 'Puente queues' } },
  });
  const app = new Hono();
  const credentials = basicAuth({ username: auth.user, password: auth.password });
  for (const path of [BULL_BOARD_PATH, `${BULL_BOARD_PATH}/*`]) {
    app.use(path, refuseCrossSiteChanges());
    app.use(path, credentials);
    // Every action of the board is a PUT, POST or PATCH; read-only refuses them all, not only those of the queues' adapters.
    if (readOnly) app.use(path, async (c, next) => (SAFE_METHODS.has(c.req.method) ? next() : c.json(errorBody('METHOD_NOT_ALLOWED', 'Bull Board is read-only (BULL_BOARD_READ_ONLY=true)'), 405)));
  }
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
  return app;
}
