import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Errors that reached `onError` without being an AppError (bugs). */
  unhandledErrors: Counter<'route'>;
  /** Webhook items by kind (message, status, error) and result (queued, duplicate). */
  webhookItems: Counter<'kind' | 'result'>;
  /** Graph API sends by result (accepted, failed, retried, deferred). */
  whatsappSends: Counter<'result'>;
  /** Sends given up for good, by Meta's error code (or ours, e.g. CUSTOMER_SERVICE_WINDOW_CLOSED). */
  whatsappSendFailures: Counter<'code'>;
  /** Graph rejected our access token (190/0): every send fails until ops rotate it. */
  whatsappTokenErrors: Counter;
  /** Lane items moved to the dead letters after too many failures. */
  deadLetters: Counter<'mailbox'>;
  /** Graph API calls by operation (send, mark_read) and outcome (ok, http_4xx/5xx, timeout, network): latency, and totals as `_count`. */
  graphRequests: Histogram<'operation' | 'outcome'>;
  /** CRM calls by endpoint and outcome: latency, and totals as `_count`. */
  crmRequests: Histogram<'endpoint' | 'outcome'>;
  /** Status webhooks dropped: for a message Puente never sent (the number used by another app), after a short wait for its log. */
  statusesDropped: Counter<'reason'>;
  /** Campaign steps by outcome (queued, accepted, postponed_window, postponed_cap, ended_opted_out, …; src/campaigns/sender.ts). */
  campaignSends: Counter<'result'>;
  /** Campaign sends Meta refused, by its code and what the sender did (bounced, paused, deferred, recorded). */
  campaignSendErrors: Counter<'code' | 'action'>;
  /** Campaigns the sender paused on a quality or policy signal (alert on any increase). */
  campaignAutoPaused: Counter<'reason'>;
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
    webhookItems: new Counter({ name: 'puente_webhook_items_total', help: 'Webhook items by kind and result', labelNames: ['kind', 'result'], registers: [registry] }),
    whatsappSends: new Counter({ name: 'puente_whatsapp_sends_total', help: 'Graph API send attempts by result', labelNames: ['result'], registers: [registry] }),
    whatsappSendFailures: new Counter({
      name: 'puente_whatsapp_send_failures_total',
      help: 'Messages that will not be delivered, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    whatsappTokenErrors: new Counter({ name: 'puente_whatsapp_token_errors_total', help: 'Graph API calls rejected for an expired or invalid token', registers: [registry] }),
    deadLetters: new Counter({ name: 'puente_dead_letters_total', help: 'Lane items dead-lettered after repeated failures', labelNames: ['mailbox'], registers: [registry] }),
    graphRequests: new Histogram({
      name: 'puente_graph_request_duration_seconds',
      help: 'WhatsApp Graph API calls by operation and outcome (ok, http_<status>, timeout, network)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 15],
      registers: [registry],
    }),
    crmRequests: new Histogram({
      name: 'puente_crm_request_duration_seconds',
      help: 'CRM calls by endpoint and outcome (ok, http_<status>, network)',
      labelNames: ['endpoint', 'outcome'],
      buckets: [0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    statusesDropped: new Counter({ name: 'puente_statuses_dropped_total', help: 'Status webhooks dropped, by reason (unknown_message: not sent by Puente)', labelNames: ['reason'], registers: [registry] }),
    campaignSends: new Counter({ name: 'puente_campaign_sends_total', help: 'Campaign steps by outcome (queued, accepted, postponed_*, skipped_*, ended_*)', labelNames: ['result'], registers: [registry] }),
    campaignSendErrors: new Counter({ name: 'puente_campaign_send_errors_total', help: 'Campaign sends refused by Meta, by error code and the action taken (bounced, paused, deferred, recorded)', labelNames: ['code', 'action'], registers: [registry] }),
    campaignAutoPaused: new Counter({ name: 'puente_campaign_auto_paused_total', help: 'Campaigns paused by the sender on a quality, policy or template signal, by reason (Meta code)', labelNames: ['reason'], registers: [registry] }),
  };
}
