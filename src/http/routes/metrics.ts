import { Hono } from 'hono';
import type { Metrics } from '../../metrics/registry.js';
import type { AppEnv } from '../types.js';

/** Prometheus scrape endpoint. */
export function metricsRoute(metrics: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  return app;
}
