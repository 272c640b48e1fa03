import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TicketStore } from './ticket-store.js';

export interface BridgeMetrics {
  ticketsOpened: Counter<'category' | 'priority'>;
  timeToAssignment: Histogram;
  agentFirstResponse: Histogram;
  resolutionTime: Histogram<'reason'>;
  crmFailures: Counter<'endpoint'>;
}

/** Open tickets by status, counted in MongoDB: the same figure in every process. */
export const OPEN_TICKETS_GAUGE = 'puente_tickets_open';
/** How old the open-ticket counts may be when a scrape reads them. */
export const OPEN_TICKETS_MAX_AGE_MS = 15_000;

export interface BridgeMetricsOptions {
  /** Default {@link OPEN_TICKETS_MAX_AGE_MS}. */
  openTicketsMaxAgeMs?: number;
  now?: () => number;
}

type OpenCounts = Awaited<ReturnType<TicketStore['countOpenByStatus']>>;

/**
 * The open-ticket counts, read from MongoDB at most once per `maxAgeMs`: concurrent scrapes share one
 * query, and scrapes in between get the last counts. A ticket change this process records (see
 * below) makes the next scrape read them again. A failed query is not kept: the next scrape retries.
 */
function cachedOpenCounts(tickets: Pick<TicketStore, 'countOpenByStatus'>, maxAgeMs: number, now: () => number) {
  let last: { counts: OpenCounts; at: number } | undefined;
  let inFlight: Promise<OpenCounts> | undefined;
  let generation = 0;
  return {
    read(): Promise<OpenCounts> {
      if (last && now() - last.at < maxAgeMs) return Promise.resolve(last.counts);
      if (inFlight) return inFlight;
      const started = { at: now(), generation };
      inFlight = tickets
        .countOpenByStatus()
        .then((counts) => {
          // A change recorded while the query ran may be missing from it: keep it for this scrape only.
          if (started.generation === generation) last = { counts, at: started.at };
          return counts;
        })
        .finally(() => (inFlight = undefined));
      return inFlight;
    },
    changed(): void {
      last = undefined;
      generation++;
    },
  };
}

/** Calls `after` each time `method` of `metric` is called: how this process's ticket changes refresh the counts. */
function alsoOn<M extends object>(metric: M, method: keyof M & string, after: () => void): M {
  const original = metric[method] as (...args: unknown[]) => unknown;
  Object.assign(metric, {
    [method]: (...args: unknown[]) => {
      const result = original.apply(metric, args);
      after();
      return result;
    },
  });
  return metric;
}

const minutes = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 86_400];

/**
 * Handover metrics. Open tickets by status are counted in MongoDB (an index on `open`, `status`
 * serves the query) when a scrape asks, at most every 15 s: a scrape, public or not, cannot make
 * MongoDB do more than that.
 */
export function createBridgeMetrics(registry: Registry, tickets: Pick<TicketStore, 'countOpenByStatus'>, options: BridgeMetricsOptions = {}): BridgeMetrics {
  const openCounts = cachedOpenCounts(tickets, options.openTicketsMaxAgeMs ?? OPEN_TICKETS_MAX_AGE_MS, options.now ?? Date.now);
  new Gauge({
    name: OPEN_TICKETS_GAUGE,
    help: 'Open handover tickets by status (counted in MongoDB, at most 15 s old)',
    labelNames: ['status'],
    registers: [registry],
    // Counted in MongoDB: every process reports the same figure, so /metrics of a process with
    // worker processes keeps its own (listed first) instead of summing them.
    aggregator: 'first',
    async collect() {
      const counts = await openCounts.read();
      this.set({ status: 'pending' }, counts.pending);
      this.set({ status: 'active' }, counts.active);
    },
  });
  // A ticket opened, assigned or closed in this process: its next scrape counts again.
  return {
    ticketsOpened: alsoOn(new Counter({ name: 'puente_tickets_opened_total', help: 'Handover tickets opened', labelNames: ['category', 'priority'], registers: [registry] }), 'inc', openCounts.changed),
    timeToAssignment: alsoOn(new Histogram({ name: 'puente_ticket_time_to_assignment_seconds', help: 'From ticket opened to an agent assigned', buckets: minutes, registers: [registry] }), 'observe', openCounts.changed),
    agentFirstResponse: new Histogram({ name: 'puente_ticket_agent_first_response_seconds', help: "From assignment to the agent's first message", buckets: minutes, registers: [registry] }),
    resolutionTime: alsoOn(
      new Histogram({ name: 'puente_ticket_resolution_seconds', help: 'From ticket opened to closed, by close reason', labelNames: ['reason'], buckets: minutes, registers: [registry] }),
      'observe',
      openCounts.changed,
    ),
    crmFailures: new Counter({ name: 'puente_crm_call_failures_total', help: 'Failed calls to the CRM by endpoint', labelNames: ['endpoint'], registers: [registry] }),
  };
}
