import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Errors that reached `onError` without being an AppError (bugs). */
  unhandledErrors: Counter<'route'>;
}

/** A registry per process (not prom-client's global one), so tests can build several apps side by side. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'puente' });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'puente_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    unhandledErrors: new Counter({
      name: 'puente_http_unhandled_errors_total',
      help: 'Requests that ended in an unexpected error (500)',
      labelNames: ['route'],
      registers: [registry],
    }),
  };
}
