import { Counter, Histogram, type Registry } from 'prom-client';

export interface WebhookMetrics {
  /** Deliveries by outcome: `delivered`, `failed` (given up, 410, subscription gone), and `retried` attempts. */
  deliveries: Counter<'outcome'>;
  /** Event occurred → delivered (2xx), for events (not tests or redeliveries). */
  latency: Histogram;
  /** Subscriptions Puente disabled, by reason: `gone` (410) or `failing` (3 days without a success). */
  disabled: Counter<'reason'>;
}

/** The module's metrics on `registry` (reused when a second module instance shares the registry, as in tests). */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    deliveries:
      existing<Counter<'outcome'>>('puente_webhook_deliveries_total') ??
      new Counter({ name: 'puente_webhook_deliveries_total', help: 'Webhook deliveries by outcome (delivered, failed) and retried attempts', labelNames: ['outcome'], registers: [registry] }),
    latency:
      existing<Histogram>('puente_webhook_delivery_latency_seconds') ??
      new Histogram({
        name: 'puente_webhook_delivery_latency_seconds',
        help: 'From the event to its delivery (2xx) to a subscription',
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21_600, 86_400],
        registers: [registry],
      }),
    disabled:
      existing<Counter<'reason'>>('puente_webhook_subscriptions_disabled_total') ??
      new Counter({ name: 'puente_webhook_subscriptions_disabled_total', help: 'Webhook subscriptions disabled by Puente, by reason (gone, failing)', labelNames: ['reason'], registers: [registry] }),
  };
}
