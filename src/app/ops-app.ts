/**
 * The ops listener's app (OPS_HOST:OPS_PORT, 127.0.0.1:9091 by default), served by every role:
 * `/healthz`, `/readyz` naming the failed dependency, `/metrics`, and Bull Board at /admin/queues.
 * None of it is on the public listener (only `/healthz` and a status-only `/readyz` are, for load
 * balancers): a scrape runs MongoDB queries, readiness pings Redis and MongoDB, and the dashboard
 * shows every queued job.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { createBullBoardApp } from '../../queues/bull-board.js';
import { createErrorHandler } from '../platform/http/error-handler.js';
import { AppError } from '../platform/http/errors.js';
import { limitBody, observeRequests } from '../platform/http/middleware.js';
import type { AppEnv } from '../platform/http/types.js';
import type { Deps } from './deps.js';
import { MAX_BODY_BYTES } from './http-app.js';
import { healthRoutes, type WorkerProcessesProbe } from './routes/health.js';
import { metricsRoute, type MetricsSources } from './routes/metrics.js';

export interface OpsExtras {
  /** Forked worker processes of role `all`: a `workers` readiness check and their metrics aggregated into /metrics. */
  workerProcesses?: WorkerProcessesProbe & Partial<MetricsSources>;
}

export function createOpsApp(deps: Pick<Deps, 'config' | 'logger' | 'metrics' | 'redis' | 'mongo' | 'queues'>, extras: OpsExtras = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', observeRequests(deps.logger, deps.metrics));
  app.use('*', secureHeaders({ contentSecurityPolicy: undefined }));
  app.use('*', limitBody(MAX_BODY_BYTES));

  app.route('/', healthRoutes(deps, { detail: true, ...(extras.workerProcesses ? { workerProcesses: extras.workerProcesses } : {}) }));
  app.route('/', metricsRoute(deps.metrics, extras.workerProcesses));
  const bullBoard = createBullBoardApp(deps.queues, {
    user: deps.config.BULL_BOARD_USER,
    password: deps.config.BULL_BOARD_PASSWORD,
    readOnly: deps.config.BULL_BOARD_READ_ONLY,
  });
  if (bullBoard) app.route('/', bullBoard);

  app.notFound((c) => c.json(new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError(createErrorHandler(deps.metrics, deps.logger));
  return app;
}
