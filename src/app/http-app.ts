import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.js';
import { createBullBoardApp } from '../../queues/bull-board.js';
import { AppError } from '../platform/http/errors.js';
import { createErrorHandler } from '../platform/http/error-handler.js';
import { limitBody, observeRequests } from '../platform/http/middleware.js';
import { healthRoutes, type WorkerProcessesProbe } from './routes/health.js';
import { metricsRoute, type MetricsSources } from './routes/metrics.js';
import { webhookRoutes } from '../conversations/routes/webhook.js';
import { crmRoutes } from '../../crm-bridge/routes/index.js';
import type { AppEnv } from '../platform/http/types.js';
import { PUENTE_VERSION } from '../platform/version.js';

/** Largest request body accepted anywhere (Meta's webhook batches included). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Builds the HTTP app. Route modules are mounted here and register their schemas with the
 * OpenAPI document served at /openapi.json. `extras.workerProcesses` (forked workers of role
 * `all`) adds a `workers` check to /readyz and their metrics to /metrics.
 */
export function createApp(deps: Deps, extras: { workerProcesses?: WorkerProcessesProbe & Partial<MetricsSources> } = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError('VALIDATION_ERROR', 'The request is invalid', result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
    },
  });
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', observeRequests(deps.logger, deps.metrics));
  app.use('*', secureHeaders({ contentSecurityPolicy: undefined }));
  app.use('*', limitBody(MAX_BODY_BYTES));

  app.route('/', healthRoutes({ redis: deps.redis, mongo: deps.mongo, ...extras }));
  app.route('/', metricsRoute(deps.metrics, extras.workerProcesses));
  app.route('/', webhookRoutes({ config: deps.config, ingress: deps.messaging.ingress }));
  app.route('/', crmRoutes(deps.bridge.routeDeps));
  const bullBoard = createBullBoardApp(deps.queues, { user: deps.config.BULL_BOARD_USER, password: deps.config.BULL_BOARD_PASSWORD });
  if (bullBoard) app.route('/', bullBoard);

  app.doc('/openapi.json', { openapi: '3.0.3', info: { title: 'Puente API', version: PUENTE_VERSION } });
  app.get('/api/docs', swaggerUI({ url: '/openapi.json', title: 'Puente API' }));

  app.notFound((c) => c.json(new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError(createErrorHandler(deps.metrics, deps.logger));
  return app;
}
