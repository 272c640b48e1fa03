import { Hono } from 'hono';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from '../../platform/metrics/registry.js';
import type { ChildMetrics } from '../worker-processes/index.js';
import type { AppEnv } from '../../platform/http/types.js';

/** The forked worker processes of role `all`, whose metrics /metrics adds to this process's. */
export interface MetricsSources {
  collectMetrics(timeoutMs: number): Promise<ChildMetrics[]>;
}

/** How long a scrape waits for a worker process's metrics (Prometheus' default scrape timeout is 10 s). */
const CHILD_METRICS_TIMEOUT_MS = 2_000;

/**
 * Prometheus scrape endpoint. With forked worker processes, their metrics (sends, CRM calls,
 * tickets, dead letters: counted where the work runs) are aggregated into this process's the way
 * prom-client's cluster mode does: counters and histograms summed, gauges by their aggregator.
 */
export function metricsRoute(metrics: Metrics, workerProcesses?: Partial<MetricsSources>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    if (!workerProcesses?.collectMetrics) return c.body(await metrics.registry.metrics());
    const [own, children] = await Promise.all([metrics.registry.getMetricsAsJSON(), workerProcesses.collectMetrics(CHILD_METRICS_TIMEOUT_MS)]);
    return c.body(await AggregatorRegistry.aggregate([own, ...children]).metrics());
  });
  return app;
}
