import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TicketStore } from './ticket-store.js';

export interface BridgeMetrics {
  ticketsOpened: Counter<'category' | 'priority'>;
  timeToAssignment: Histogram;
  agentFirstResponse: Histogram;
  resolutionTime: Histogram<'reason'>;
  crmFailures: Counter<'endpoint'>;
}

const minutes = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 86_400];

/** Handover metrics; open tickets by status are counted in MongoDB at scrape time. */
export function createBridgeMetrics(registry: Registry, tickets: TicketStore): BridgeMetrics {
  new Gauge({
    name: 'puente_tickets_open',
    help: 'Open handover tickets by status',
    labelNames: ['status'],
    registers: [registry],
    // Counted in MongoDB: every process reports the same figure, so /metrics of a process with
    // worker processes keeps its own (listed first) instead of summing them.
    aggregator: 'first',
    async collect() {
      const counts = await tickets.countOpenByStatus();
      this.set({ status: 'pending' }, counts.pending);
      this.set({ status: 'active' }, counts.active);
    },
  });
  return {
    ticketsOpened: new Counter({ name: 'puente_tickets_opened_total', help: 'Handover tickets opened', labelNames: ['category', 'priority'], registers: [registry] }),
    timeToAssignment: new Histogram({ name: 'puente_ticket_time_to_assignment_seconds', help: 'From ticket opened to an agent assigned', buckets: minutes, registers: [registry] }),
    agentFirstResponse: new Histogram({ name: 'puente_ticket_agent_first_response_seconds', help: "From assignment to the agent's first message", buckets: minutes, registers: [registry] }),
    resolutionTime: new Histogram({ name: 'puente_ticket_resolution_seconds', help: 'From ticket opened to closed, by close reason', labelNames: ['reason'], buckets: minutes, registers: [registry] }),
    crmFailures: new Counter({ name: 'puente_crm_call_failures_total', help: 'Failed calls to the CRM by endpoint', labelNames: ['endpoint'], registers: [registry] }),
  };
}
