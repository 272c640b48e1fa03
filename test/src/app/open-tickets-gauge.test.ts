/**
 * `puente_tickets_open` is counted in MongoDB when /metrics is scraped: at most once per 15 s per
 * process (concurrent scrapes share the query), with an index serving the query.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeMetrics, OPEN_TICKETS_MAX_AGE_MS } from '../../../crm-bridge/metrics.js';
import { ticketModel } from '../../../crm-bridge/ticket-model.js';
import { createOpsApp } from '../../../src/app/ops-app.js';
import { createTestDeps, type TestDeps } from '../../helpers/deps.js';

function countingStore() {
  const store = {
    queries: 0,
    counts: { pending: 2, active: 1 },
    async countOpenByStatus() {
      store.queries++;
      await new Promise((r) => setTimeout(r, 20));
      return { ...store.counts };
    },
  };
  return store;
}

const sample = (text: string, status: string) => Number(new RegExp(`^puente_tickets_open\\{status="${status}"\\} (\\d+)$`, 'm').exec(text)?.[1]);

describe('the open-tickets gauge', () => {
  it('is counted at most once per 15 s, concurrent scrapes sharing one query', async () => {
    let now = 1_000_000;
    const store = countingStore();
    const registry = new Registry();
    createBridgeMetrics(registry, store, { now: () => now });
    const scrapes = await Promise.all(Array.from({ length: 10 }, () => registry.metrics()));
    expect(store.queries).toBe(1);
    for (const text of scrapes) expect([sample(text, 'pending'), sample(text, 'active')]).toEqual([2, 1]);

    store.counts = { pending: 0, active: 3 };
    now += OPEN_TICKETS_MAX_AGE_MS - 1;
    expect(sample(await registry.metrics(), 'active')).toBe(1);
    expect(store.queries).toBe(1);
    now += 1;
    expect(sample(await registry.metrics(), 'active')).toBe(3);
    expect(store.queries).toBe(2);
    expect(OPEN_TICKETS_MAX_AGE_MS).toBe(15_000);
  });

  it('is counted again at the next scrape once this process opened, assigned or closed a ticket', async () => {
    const store = countingStore();
    const registry = new Registry();
    const metrics = createBridgeMetrics(registry, store, { now: () => 0 });
    await registry.metrics();
    const changes = [
      () => metrics.ticketsOpened.inc({ category: 'soporte_agente', priority: 'media' }),
      () => metrics.timeToAssignment.observe(30),
      () => metrics.resolutionTime.observe({ reason: 'agent_resolved' }, 300),
    ];
    for (const [i, change] of changes.entries()) {
      change();
      await registry.metrics();
      expect(store.queries).toBe(i + 2);
    }
    // The counters themselves still count.
    expect(await registry.getSingleMetricAsString('puente_tickets_opened_total')).toMatch(/puente_tickets_opened_total\{category="soporte_agente",priority="media"\} 1/);
    metrics.agentFirstResponse.observe(5);
    metrics.crmFailures.inc({ endpoint: 'user-message' });
    await registry.metrics();
    expect(store.queries).toBe(4);
  });

  it('does not keep a failed count: the next scrape asks again', async () => {
    const registry = new Registry();
    let fail = true;
    let queries = 0;
    createBridgeMetrics(registry, {
      countOpenByStatus: async () => {
        queries++;
        if (fail) throw new Error('mongo down');
        return { pending: 1, active: 0 };
      },
    });
    await expect(registry.metrics()).rejects.toThrow('mongo down');
    fail = false;
    expect(sample(await registry.metrics(), 'pending')).toBe(1);
    expect(queries).toBe(2);
  });
});

describe('the open-tickets query', () => {
  let deps: TestDeps;
  beforeAll(async () => {
    deps = await createTestDeps();
  });
  afterAll(async () => deps.cleanup());

  it('has an index of its own: open tickets only, by status', async () => {
    const Tickets = ticketModel(deps.mongo.connection);
    expect(Tickets.schema.indexes()).toContainEqual([{ open: 1, status: 1 }, expect.objectContaining({ name: 'open_tickets_by_status', partialFilterExpression: { open: true } })]);
    await Tickets.init();
    const created = await Tickets.collection.indexes();
    expect(created).toContainEqual(expect.objectContaining({ name: 'open_tickets_by_status', key: { open: 1, status: 1 }, partialFilterExpression: { open: true } }));
  });

  it('is not run by a burst of scrapes of the ops listener', async () => {
    const ops = createOpsApp(deps);
    let queries = 0;
    const count = deps.bridge.tickets.countOpenByStatus.bind(deps.bridge.tickets);
    deps.bridge.tickets.countOpenByStatus = () => {
      queries++;
      return count();
    };
    const scrapes = await Promise.all(Array.from({ length: 20 }, () => ops.request('/metrics')));
    expect(scrapes.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 5; i++) expect((await ops.request('/metrics')).status).toBe(200);
    expect(queries).toBe(1);
  });
});
