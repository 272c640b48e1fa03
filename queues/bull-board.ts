import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { QueueRegistry } from './registry.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardAuth {
  user: string | undefined;
  password: string | undefined;
}

/**
 * Bull Board behind basic auth. Returns `undefined` when no credentials are configured: the
 * dashboard can retry, delete and promote jobs, so it is never served open.
 */
export function createBullBoardApp(queues: QueueRegistry, auth: BullBoardAuth): Hono | undefined {
  if (!auth.user || !auth.password) return undefined;
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Puente queues' } },
  });
  const app = new Hono();
  app.use(`${BULL_BOARD_PATH}/*`, basicAuth({ username: auth.user, password: auth.password }));
  app.use(BULL_BOARD_PATH, basicAuth({ username: auth.user, password: auth.password }));
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
  return app;
}
