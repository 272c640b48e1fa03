import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startReceiver, subscribeActive, waitFor, webhookHarness, type Receiver, type WebhookHarness } from './helpers.js';

describe('order per resource, parallel otherwise', () => {
  let h: WebhookHarness;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    h = await webhookHarness({ options: { timeoutMs: 3_000 } });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h.stop();
  });

  it('delivers the events of each resource in the order published, under 20 concurrent publishes and failures', async () => {
    const { orgId, call } = await h.org();
    // Fails the first try of every third event and answers after a random pause: retries must not reorder.
    const flaky = await startReceiver(async (req, n) => {
      if (req.json.event === 'webhook.verification') return { status: 200, body: String(req.json.data.challenge) };
      await new Promise((r) => setTimeout(r, Math.random() * 15));
      const seq = Number(req.json.data.seq);
      const tries = flaky.requests.filter((r) => r.json.id === req.json.id).length;
      void n;
      return seq % 3 === 0 && tries === 1 ? { status: 500 } : { status: 200 };
    });
    const steady = await startReceiver();
    receivers.push(flaky, steady);
    await subscribeActive(call, flaky.url);
    await subscribeActive(call, steady.url);

    const resources = ['TK-A', 'TK-B', 'TK-C', 'TK-D'];
    // 20 publishes issued at once (no await between them), each with one event per resource.
    const calls = Array.from({ length: 20 }, (_, seq) => h.webhooks.sink.publish(resources.map((id) => event(orgId, 'ticket.updated', { type: 'ticket', id }, { ticket: id, seq }))));
    await Promise.all(calls);
    const delivered = (r: Receiver) => r.requests.filter((q) => q.json.event === 'ticket.updated');
    await waitFor(() => new Set(delivered(flaky).map((q) => q.json.id)).size === 80 && delivered(steady).length === 80, 15_000, 'all 80 events at both');
    for (const r of [flaky, steady]) {
      for (const id of resources) {
        // The successful attempt of each event, in arrival order: 0, 1, 2, … 19.
        const firstSeen = delivered(r)
          .filter((q) => q.json.data.ticket === id)
          .map((q) => Number(q.json.data.seq));
        const order = firstSeen.filter((seq, i) => firstSeen.indexOf(seq) === i);
        expect(order, `${id} at ${r === flaky ? 'the flaky' : 'the steady'} endpoint`).toEqual(Array.from({ length: 20 }, (_, i) => i));
        // A retried event was retried before the next one was sent: it never comes after its successor.
        expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
      }
    }
  });

  it('a slow (hanging) endpoint does not delay another subscription, and holds at most 8 requests', async () => {
    const { orgId, call } = await h.org();
    let verified = false;
    const slow = await startReceiver((req) => (req.json.event === 'webhook.verification' && !verified ? ((verified = true), { status: 200, body: String(req.json.data.challenge) }) : 'hang'));
    const fast = await startReceiver();
    receivers.push(slow, fast);
    await subscribeActive(call, slow.url);
    await subscribeActive(call, fast.url);
    const started = Date.now();
    // 40 events of 40 resources: 40 lanes per subscription.
    await h.webhooks.sink.publish(Array.from({ length: 40 }, (_, i) => event(orgId, 'message.sent', { type: 'message', id: `wamid.${i}` }, { i })));
    await waitFor(() => fast.of('message.sent').length === 40, 5_000, 'the fast endpoint has every event');
    const latencies = fast.of('message.sent').map((q) => q.at - started);
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    // Meanwhile the slow one holds its 8 slots (cap per subscription), no more.
    await new Promise((r) => setTimeout(r, 500));
    expect(slow.of('message.sent').length).toBe(8);
  });
});

describe('the concurrency cap across lanes (cap 2)', () => {
  it('never has more than the cap in flight, and wakes parked lanes as slots free', async () => {
    const h = await webhookHarness({ options: { concurrencyPerSubscription: 2 } });
    let inFlight = 0;
    let peak = 0;
    const r = await startReceiver(async (req) => {
      if (req.json.event === 'webhook.verification') return { status: 200, body: String(req.json.data.challenge) };
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 150));
      inFlight--;
      return { status: 200 };
    });
    try {
      const { orgId, call } = await h.org();
      await subscribeActive(call, r.url);
      const started = Date.now();
      // 12 resources: 2 in flight, 2 waiting in the process, 8 parked in Redis until a slot frees.
      await h.webhooks.sink.publish(Array.from({ length: 12 }, (_, i) => event(orgId, 'lead.updated', { type: 'lead', id: `ld_${i}` }, { i })));
      await waitFor(() => r.of('lead.updated').length === 12, 8_000, 'all 12 delivered');
      expect(peak).toBe(2);
      // 6 rounds of 150 ms, plus the wake-ups: far below the 10 s a parked lane waits when nobody wakes it.
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await r.close();
      await h.stop();
    }
  });
});

describe('the cap over a long run of passed slots', () => {
  it('stays at the cap when slots are only passed on for longer than a slot lives', async () => {
    // Slots live timeout + 5 s = 5.5 s here; the run below passes slots on for ~9 s.
    const h = await webhookHarness({ options: { concurrencyPerSubscription: 2, timeoutMs: 500 } });
    let inFlight = 0;
    let peak = 0;
    const r = await startReceiver(async (req) => {
      if (req.json.event === 'webhook.verification') return { status: 200, body: String(req.json.data.challenge) };
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 300));
      inFlight--;
      return { status: 200 };
    });
    try {
      const { orgId, call } = await h.org();
      await subscribeActive(call, r.url);
      await h.webhooks.sink.publish(Array.from({ length: 60 }, (_, i) => event(orgId, 'lead.updated', { type: 'lead', id: `ld_${i % 12}` }, { i })));
      await waitFor(() => r.of('lead.updated').length === 60, 20_000, 'all 60 delivered');
      expect(peak).toBe(2);
    } finally {
      await r.close();
      await h.stop();
    }
  }, 30_000);
});
