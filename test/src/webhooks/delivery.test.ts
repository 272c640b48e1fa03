import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import { PUENTE_VERSION } from '../../../src/platform/version.js';
import { signatureV1 } from '../../../src/webhooks/signature.js';
import { event, startReceiver, subscribeActive, waitFor, webhookHarness, type Answer, type Call, type Received, type Receiver, type WebhookHarness } from './helpers.js';

type Attempt = { at: string; duration_ms: number; status_code: number | null; error: string | null; response_body: string | null };
type Delivery = { id: string; event: string; event_id: string; kind: string; status: string; attempts: Attempt[]; attempt_count: number; failure_reason: string | null; next_attempt_at: string | null; redelivery_of: string | null };
type Sub = { id: string; status: string; disabled_reason: string | null; failing_since: string | null; secret?: string };

/** Checks X-Puente-Signature against the secrets (each must match its v1, in order). */
function signedWith(req: Received, ...secrets: string[]): boolean {
  const header = String(req.headers['x-puente-signature']);
  const t = Number(/t=(\d+)/.exec(header)?.[1]);
  const v1 = [...header.matchAll(/v1=([0-9a-f]{64})/g)].map((m) => m[1]);
  return v1.length === secrets.length && secrets.every((s, i) => v1[i] === signatureV1(s, t, req.body)) && Math.abs(Date.now() / 1000 - t) < 60;
}

const deliveriesOf = async (call: Call, id: string, query = '') => ((await (await call(`/api/v1/webhooks/${id}/deliveries${query}`)).json()) as { data: Delivery[] }).data;
const subscription = async (call: Call, id: string) => (await (await call(`/api/v1/webhooks/${id}`)).json()) as Sub;
const metric = async (h: WebhookHarness, name: string, labels: Record<string, string>) =>
  (await h.deps.metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;

describe('webhook deliveries against real HTTP endpoints', () => {
  let h: WebhookHarness;
  const receivers: Receiver[] = [];
  const receiver = async (answer?: Answer) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    h = await webhookHarness();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => h.stop());

  describe('verification', () => {
    it('create → verification (plain text challenge) → active', async () => {
      const { call } = await h.org();
      const r = await receiver();
      const res = await call('/api/v1/webhooks', { method: 'POST', json: { url: r.url, events: ['ticket.created'] } });
      const { id, secret } = (await res.json()) as Sub & { secret: string };
      await waitFor(async () => (await subscription(call, id)).status === 'active');
      const [req] = r.of('webhook.verification');
      expect(req!.json.data.challenge).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(signedWith(req!, secret)).toBe(true);
      expect(req!.headers['x-puente-event']).toBe('webhook.verification');
      const [log] = await deliveriesOf(call, id);
      expect(log).toMatchObject({ kind: 'verification', status: 'delivered', attempt_count: 1, attempts: [{ status_code: 200, response_body: req!.json.data.challenge }] });
      expect(req!.headers['x-puente-delivery']).toBe(log!.id);
    });

    it('accepts the challenge as JSON {"challenge": …}', async () => {
      const { call } = await h.org();
      const r = await receiver((req) => ({ status: 200, body: JSON.stringify({ challenge: req.json.data.challenge }) }));
      await subscribeActive(call, r.url);
    });

    it('a wrong answer keeps it pending_verification, with the attempts in the log; "active" verifies it again', async () => {
      const { call } = await h.org();
      let fixed = false;
      const r = await receiver((req) => (fixed ? { status: 200, body: String(req.json.data.challenge) } : { status: 200, body: 'hello' }));
      const { id } = (await (await call('/api/v1/webhooks', { method: 'POST', json: { url: r.url, events: ['*'] } })).json()) as Sub;
      // 3 attempts (the harness waits 50 and 100 ms between them), then it has failed.
      await waitFor(async () => (await deliveriesOf(call, id))[0]?.status === 'failed');
      const [log] = await deliveriesOf(call, id);
      expect(log).toMatchObject({ status: 'failed', attempt_count: 3, failure_reason: 'verification failed' });
      expect(log!.attempts[0]).toMatchObject({ status_code: 200, error: 'the answer did not echo the challenge', response_body: 'hello' });
      expect((await subscription(call, id)).status).toBe('pending_verification');
      // Nothing is delivered to a subscription that is not verified.
      const { orgId } = await h.org();
      expect(await h.webhooks.sink.wants(orgId, 'ticket.created')).toBe(false);
      fixed = true;
      expect(await (await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { status: 'active' } })).json()).toMatchObject({ status: 'pending_verification' });
      await waitFor(async () => (await subscription(call, id)).status === 'active');
    });
  });

  it('delivers {id, event, timestamp, org_id, data} with the documented headers, signed', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver();
    const { id, secret } = await subscribeActive(call, r.url, ['ticket.created']);
    const occurred = new Date('2026-01-15T14:03:00.000Z');
    const evt = event(orgId, 'ticket.created', { type: 'ticket', id: 'TK-2026-000001' }, { ticket: { ticket_id: 'TK-2026-000001' } }, occurred);
    expect(await h.webhooks.sink.wants(orgId, 'ticket.created')).toBe(true);
    expect(await h.webhooks.sink.wants(orgId, 'ticket.closed')).toBe(false);
    await h.webhooks.sink.publish([evt, event(orgId, 'ticket.closed', { type: 'ticket', id: 'TK-2026-000001' })]);
    await waitFor(() => r.of('ticket.created').length === 1);
    const [req] = r.of('ticket.created');
    expect(req!.body).toBe(JSON.stringify({ id: evt.id, event: 'ticket.created', timestamp: '2026-01-15T14:03:00.000Z', org_id: orgId, data: { ticket: { ticket_id: 'TK-2026-000001' } } }));
    expect(req!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': `Puente/${PUENTE_VERSION}`, 'x-puente-event': 'ticket.created' });
    expect(signedWith(req!, secret)).toBe(true);
    const [delivery] = await deliveriesOf(call, id, '?event=ticket.created');
    expect(req!.headers['x-puente-delivery']).toBe(delivery!.id);
    expect(delivery).toMatchObject({ status: 'delivered', event_id: evt.id });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.of('ticket.closed')).toHaveLength(0); // not subscribed
  });

  it('an event handed over twice makes one delivery', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver();
    const { id } = await subscribeActive(call, r.url);
    const evt = event(orgId, 'lead.created', { type: 'lead', id: 'ld_1' });
    await h.webhooks.sink.publish([evt]);
    await h.webhooks.sink.publish([evt]);
    await waitFor(() => r.of('lead.created').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.of('lead.created')).toHaveLength(1);
    expect(await deliveriesOf(call, id, '?event=lead.created')).toHaveLength(1);
  });

  it('retries an endpoint that fails twice, with the same delivery id, until it succeeds', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver((req, n) => (req.json.event === 'webhook.verification' ? { status: 200, body: String(req.json.data.challenge) } : n <= 2 ? { status: 500, body: 'boom' } : { status: 204 }));
    const { id, secret } = await subscribeActive(call, r.url);
    const retriedBefore = await metric(h, 'puente_webhook_deliveries_total', { outcome: 'retried' });
    await h.webhooks.sink.publish([event(orgId, 'ticket.updated', { type: 'ticket', id: 'TK-9' }, { change: 'assigned' })]);
    await waitFor(() => r.of('ticket.updated').length === 3);
    const tries = r.of('ticket.updated');
    expect(new Set(tries.map((t) => t.headers['x-puente-delivery'])).size).toBe(1);
    expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    expect(tries.every((t) => signedWith(t, secret))).toBe(true);
    await waitFor(async () => (await deliveriesOf(call, id, '?event=ticket.updated'))[0]?.status === 'delivered');
    const [log] = await deliveriesOf(call, id, '?event=ticket.updated');
    expect(log!.id).toBe(tries[0]!.headers['x-puente-delivery']);
    expect(log!.attempts.map((a) => a.status_code)).toEqual([500, 500, 204]);
    expect(log!.attempts[0]).toMatchObject({ response_body: 'boom', error: null });
    expect(log!.next_attempt_at).toBeNull();
    expect((await metric(h, 'puente_webhook_deliveries_total', { outcome: 'retried' })) - retriedBefore).toBe(2);
    // The streak of failures ended with the success.
    expect((await subscription(call, id)).failing_since).toBeNull();
  });

  it('records a timeout and a refused connection as failed attempts', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver();
    const { id } = await subscribeActive(call, r.url);
    await r.close(); // nothing listens any more
    await h.webhooks.sink.publish([event(orgId, 'contact.created', { type: 'contact', id: 'ct_1' })]);
    await waitFor(async () => ((await deliveriesOf(call, id, '?event=contact.created'))[0]?.attempt_count ?? 0) >= 1);
    const [log] = await deliveriesOf(call, id, '?event=contact.created');
    expect(log!.attempts[0]).toMatchObject({ status_code: null, error: expect.stringContaining('ECONNREFUSED') });
    expect((await subscription(call, id)).failing_since).not.toBeNull();
    await call(`/api/v1/webhooks/${id}`, { method: 'DELETE' });
  });

  it('410 Gone disables the subscription at once', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver((req) => (req.json.event === 'webhook.verification' ? { status: 200, body: String(req.json.data.challenge) } : { status: 410, body: 'gone' }));
    const { id } = await subscribeActive(call, r.url);
    const before = await metric(h, 'puente_webhook_subscriptions_disabled_total', { reason: 'gone' });
    await h.webhooks.sink.publish([event(orgId, 'lead.updated', { type: 'lead', id: 'ld_2' }), event(orgId, 'lead.updated', { type: 'lead', id: 'ld_2' })]);
    await waitFor(async () => (await subscription(call, id)).status === 'disabled');
    expect(await subscription(call, id)).toMatchObject({ status: 'disabled', disabled_reason: 'gone' });
    expect((await metric(h, 'puente_webhook_subscriptions_disabled_total', { reason: 'gone' })) - before).toBe(1);
    await waitFor(async () => (await deliveriesOf(call, id, '?event=lead.updated')).every((d) => d.status === 'failed'));
    const logs = await deliveriesOf(call, id, '?event=lead.updated');
    expect(logs.map((d) => d.failure_reason).sort()).toEqual(['subscription disabled', 'the endpoint answered 410 Gone: subscription disabled']);
    expect(r.of('lead.updated')).toHaveLength(1); // the second one was never sent
    expect(await h.webhooks.sink.wants(orgId, 'lead.updated')).toBe(false);
  });

  it('tests and redeliveries: a sample of the type, then the same event again under a new delivery id', async () => {
    const { call } = await h.org();
    const r = await receiver();
    const { id } = await subscribeActive(call, r.url, ['ticket.created']);
    const test = (await (await call(`/api/v1/webhooks/${id}/test`, { method: 'POST', json: { event: 'message.failed' } })).json()) as Delivery;
    await waitFor(() => r.of('message.failed').length === 1);
    const [sample] = r.of('message.failed');
    expect(EVENT_DATA['message.failed'].safeParse(sample!.json.data).success).toBe(true);
    expect(sample!.headers['x-puente-delivery']).toBe(test.id);
    const again = (await (await call(`/api/v1/webhooks/${id}/deliveries/${test.id}/redeliver`, { method: 'POST' })).json()) as Delivery;
    await waitFor(() => r.of('message.failed').length === 2);
    const [, replay] = r.of('message.failed');
    expect(replay!.headers['x-puente-delivery']).toBe(again.id);
    expect(replay!.body).toBe(sample!.body);
    await waitFor(async () => (await deliveriesOf(call, id)).find((d) => d.id === again.id)?.status === 'delivered');
  });

  it('signs with both secrets, the new one first, while a rotated secret overlaps', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver();
    const { id, secret: old } = await subscribeActive(call, r.url);
    const { secret: fresh } = (await (await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { rotate_secret: true, overlap_seconds: 600 } })).json()) as Sub & { secret: string };
    await h.webhooks.sink.publish([event(orgId, 'campaign.started', { type: 'campaign', id: 'cmp_1' })]);
    await waitFor(() => r.of('campaign.started').length === 1);
    expect(signedWith(r.of('campaign.started')[0]!, fresh, old)).toBe(true);
    const { secret: newest } = (await (await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { rotate_secret: true, overlap_seconds: 0 } })).json()) as Sub & { secret: string };
    await h.webhooks.sink.publish([event(orgId, 'campaign.paused', { type: 'campaign', id: 'cmp_1' })]);
    await waitFor(() => r.of('campaign.paused').length === 1);
    expect(signedWith(r.of('campaign.paused')[0]!, newest)).toBe(true);
  });

  it('paused: events are not delivered; active again: they are', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver();
    const { id } = await subscribeActive(call, r.url);
    expect(await (await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { status: 'paused' } })).json()).toMatchObject({ status: 'paused' });
    expect(await h.webhooks.sink.wants(orgId, 'lead.created')).toBe(false);
    await h.webhooks.sink.publish([event(orgId, 'lead.created', { type: 'lead', id: 'ld_p' })]);
    expect(await (await call(`/api/v1/webhooks/${id}`, { method: 'PATCH', json: { status: 'active' } })).json()).toMatchObject({ status: 'active' });
    await h.webhooks.sink.publish([event(orgId, 'lead.converted', { type: 'lead', id: 'ld_p' })]);
    await waitFor(() => r.of('lead.converted').length === 1);
    expect(r.of('lead.created')).toHaveLength(0);
  });

  it('deleted: queued deliveries are dropped and nothing more is sent', async () => {
    const { orgId, call } = await h.org();
    const r = await receiver((req) => (req.json.event === 'webhook.verification' ? { status: 200, body: String(req.json.data.challenge) } : { status: 503 }));
    const { id } = await subscribeActive(call, r.url);
    await h.webhooks.sink.publish([event(orgId, 'lead.created', { type: 'lead', id: 'ld_d' })]);
    await waitFor(() => r.of('lead.created').length >= 1);
    expect((await call(`/api/v1/webhooks/${id}`, { method: 'DELETE' })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the cache (200 ms) and a retry or two
    const seen = r.of('lead.created').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.of('lead.created')).toHaveLength(seen);
    expect(await h.webhooks.sink.wants(orgId, 'lead.created')).toBe(false);
  });
});

describe('the clock rules (injectable clock)', () => {
  let h: WebhookHarness;
  let offsetMs = 0;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    h = await webhookHarness({ options: { now: () => new Date(Date.now() + offsetMs) } });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h.stop();
  });
  const failing = async () => {
    const r = await startReceiver((req) => (req.json.event === 'webhook.verification' ? { status: 200, body: String(req.json.data.challenge) } : { status: 500 }));
    receivers.push(r);
    return r;
  };

  it('gives a delivery up after 24 h of failed attempts', async () => {
    offsetMs = 0;
    const { orgId, call } = await h.org();
    const r = await failing();
    const { id } = await subscribeActive(call, r.url);
    await h.webhooks.sink.publish([event(orgId, 'ticket.closed', { type: 'ticket', id: 'TK-24' })]);
    await waitFor(() => r.of('ticket.closed').length >= 2);
    offsetMs = 24 * 3_600_000 + 1000;
    await waitFor(async () => (await deliveriesOf(call, id, '?event=ticket.closed'))[0]?.status === 'failed');
    expect((await deliveriesOf(call, id, '?event=ticket.closed'))[0]).toMatchObject({ failure_reason: 'no success within 24 h', next_attempt_at: null });
    expect((await subscription(call, id)).status).toBe('active'); // 1 day of failures: not 3
  });

  it('disables a subscription that has failed for 3 days with no success, and counts it', async () => {
    offsetMs = 0;
    const { orgId, call } = await h.org();
    const r = await failing();
    const { id } = await subscribeActive(call, r.url);
    const before = await metric(h, 'puente_webhook_subscriptions_disabled_total', { reason: 'failing' });
    await h.webhooks.sink.publish([event(orgId, 'ticket.created', { type: 'ticket', id: 'TK-3d' })]);
    await waitFor(async () => (await subscription(call, id)).failing_since !== null);
    const since = Date.parse((await subscription(call, id)).failing_since!);
    offsetMs = 2 * 86_400_000; // two days later: still trying (and a new event fails too)
    await h.webhooks.sink.publish([event(orgId, 'ticket.created', { type: 'ticket', id: 'TK-3d-b' })]);
    const seen = r.requests.length;
    await waitFor(() => r.requests.length > seen + 1);
    expect((await subscription(call, id)).status).toBe('active');
    offsetMs = 3 * 86_400_000 + 1000;
    await waitFor(async () => (await subscription(call, id)).status === 'disabled');
    const sub = await subscription(call, id);
    expect(sub).toMatchObject({ disabled_reason: 'failing' });
    expect(Date.parse(sub.failing_since!)).toBe(since);
    expect((await metric(h, 'puente_webhook_subscriptions_disabled_total', { reason: 'failing' })) - before).toBe(1);
  });
});
