import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_ORG } from '../../../src/webhooks/service.js';
import { webhookHarness, type Call, type WebhookHarness } from './helpers.js';

/** The endpoints and their errors, without workers (nothing is sent): the deliveries stay pending. */
describe('/api/v1/webhooks', () => {
  let h: WebhookHarness;
  let call: Call;
  let other: Call;
  const URL_A = 'https://93.184.216.34/hooks/a';
  type Sub = { id: string; url: string; events: string[]; description: string | null; status: string; secret?: string; previous_secret_expires_at: string | null };
  type Delivery = { id: string; event: string; event_id: string; kind: string; status: string; redelivery_of: string | null; payload: { id: string; event: string; data: unknown } };
  type List<T> = { data: T[]; total: number; skip: number; limit: number };
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await call('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['ticket.created'], ...body } });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Sub;
  };

  beforeAll(async () => {
    h = await webhookHarness({ workers: false });
    ({ call } = await h.org('Owner'));
    ({ call: other } = await h.org('Other'));
  });
  afterAll(async () => h.stop());

  describe('POST', () => {
    it('creates a subscription pending verification and shows its secret once', async () => {
      const sub = await create({ events: ['ticket.created', 'lead.created', 'ticket.created'], description: 'n8n' });
      expect(sub).toMatchObject({ url: URL_A, events: ['ticket.created', 'lead.created'], description: 'n8n', status: 'pending_verification', disabled_reason: null });
      expect(sub.id).toMatch(/^whk_/);
      expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const read = (await (await call(`/api/v1/webhooks/${sub.id}`)).json()) as Sub;
      expect(read).not.toHaveProperty('secret');
      expect(JSON.stringify(await (await call('/api/v1/webhooks')).json())).not.toContain(sub.secret);
      // The verification is the first delivery, pending.
      const log = (await (await call(`/api/v1/webhooks/${sub.id}/deliveries`)).json()) as List<Delivery>;
      expect(log.data).toHaveLength(1);
      expect(log.data[0]).toMatchObject({ event: 'webhook.verification', kind: 'verification', status: 'pending' });
      expect(log.data[0]!.payload.data).toEqual({ challenge: expect.any(String) });
    });

    it('takes ["*"] for every type, alone', async () => {
      expect((await create({ events: ['*'] })).events).toEqual(['*']);
      expect((await create({ events: ['ticket.closed', '*'] })).events).toEqual(['*']);
    });

    it('refuses an unknown event type with 422, an empty list or a missing field with 400', async () => {
      const unknown = await call('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['ticket.exploded'] } });
      expect(unknown.status).toBe(422);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('INVALID_VALUE');
      expect((await call('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: [] } })).status).toBe(400);
      expect((await call('/api/v1/webhooks', { method: 'POST', json: { url: URL_A } })).status).toBe(400);
      expect((await call('/api/v1/webhooks', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    });
  });

  describe('GET', () => {
    it('lists the organization’s subscriptions, oldest first, in the list envelope', async () => {
      const { call: own } = await h.org('Lister');
      const a = await (await own('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['*'] } })).json() as Sub;
      const b = await (await own('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['*'] } })).json() as Sub;
      const list = (await (await own('/api/v1/webhooks?limit=1')).json()) as List<Sub>;
      expect(list).toMatchObject({ total: 2, skip: 0, limit: 1 });
      expect(list.data.map((s) => s.id)).toEqual([a.id]);
      expect(((await (await own('/api/v1/webhooks?skip=1')).json()) as List<Sub>).data.map((s) => s.id)).toEqual([b.id]);
      expect((await own('/api/v1/webhooks?limit=0')).status).toBe(400);
    });

    it('404 for an unknown id and for another organization’s', async () => {
      const sub = await create();
      expect((await call('/api/v1/webhooks/whk_nope')).status).toBe(404);
      expect((await other(`/api/v1/webhooks/${sub.id}`)).status).toBe(404);
      expect(((await (await other('/api/v1/webhooks')).json()) as List<Sub>).data.map((s) => s.id)).not.toContain(sub.id);
    });
  });

  describe('PATCH', () => {
    it('changes events and description (null clears it)', async () => {
      const sub = await create({ description: 'old' });
      const res = await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { events: ['lead.created'], description: null } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ events: ['lead.created'], description: null, status: 'pending_verification' });
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { events: ['lead.nope'] } })).status).toBe(422);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { status: 'disabled' } })).status).toBe(422);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { events: 'lead.created' } })).status).toBe(400);
    });

    it('pauses only an active subscription (409 otherwise) and verifies a pending one again on "active"', async () => {
      const sub = await create();
      const paused = await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { status: 'paused' } });
      expect(paused.status).toBe(409);
      const again = await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { status: 'active' } });
      expect(await again.json()).toMatchObject({ status: 'pending_verification' });
      const log = (await (await call(`/api/v1/webhooks/${sub.id}/deliveries?event=webhook.verification`)).json()) as List<Delivery>;
      expect(log.total).toBe(2);
    });

    it('verifies a changed url again', async () => {
      const sub = await create();
      const res = await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { url: 'https://93.184.216.34/hooks/b' } });
      expect(await res.json()).toMatchObject({ url: 'https://93.184.216.34/hooks/b', status: 'pending_verification' });
      expect(((await (await call(`/api/v1/webhooks/${sub.id}/deliveries`)).json()) as List<Delivery>).total).toBe(2);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { url: 'https://93.184.216.34/c', status: 'paused' } })).status).toBe(409);
    });

    it('rotates the secret: the new one once, the old one overlapping (default 1 day, at most 7)', async () => {
      const sub = await create();
      const before = Date.now();
      const res = await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { rotate_secret: true, overlap_seconds: 3600 } });
      expect(res.status).toBe(200);
      const rotated = (await res.json()) as Sub;
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(sub.secret);
      const expires = Date.parse(rotated.previous_secret_expires_at!);
      expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
      const byDefault = (await (await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { rotate_secret: true } })).json()) as Sub;
      expect(Date.parse(byDefault.previous_secret_expires_at!) - Date.now()).toBeGreaterThan(86_000_000);
      const noOverlap = (await (await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { rotate_secret: true, overlap_seconds: 0 } })).json()) as Sub;
      expect(noOverlap.previous_secret_expires_at).toBeNull();
      expect((await (await call(`/api/v1/webhooks/${sub.id}`)).json()) as Sub).not.toHaveProperty('secret');
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { rotate_secret: true, overlap_seconds: 7 * 86_400 + 1 } })).status).toBe(400);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { overlap_seconds: 60 } })).status).toBe(400);
    });

    it('404 for another organization’s', async () => {
      const sub = await create();
      expect((await other(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', json: { description: 'x' } })).status).toBe(404);
    });
  });

  describe('DELETE', () => {
    it('deletes (204), then it is gone (404) with its log', async () => {
      const sub = await create();
      expect((await other(`/api/v1/webhooks/${sub.id}`, { method: 'DELETE' })).status).toBe(404);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await call(`/api/v1/webhooks/${sub.id}`)).status).toBe(404);
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries`)).status).toBe(404);
      expect((await call(`/api/v1/webhooks/${sub.id}`, { method: 'DELETE' })).status).toBe(404);
    });
  });

  describe('POST /{id}/test and /{id}/deliveries/{delivery_id}/redeliver', () => {
    it('queues a sample of the type and answers 202 with the delivery', async () => {
      const sub = await create();
      const res = await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'lead.stage.changed' } });
      expect(res.status).toBe(202);
      const delivery = (await res.json()) as Delivery;
      expect(delivery).toMatchObject({ event: 'lead.stage.changed', kind: 'test', status: 'pending', redelivery_of: null });
      expect(delivery.payload).toMatchObject({ id: delivery.event_id, event: 'lead.stage.changed', data: { to: 'sql' } });
      expect((await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'lead.nope' } })).status).toBe(422);
      expect((await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: {} })).status).toBe(400);
      expect((await other(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'lead.created' } })).status).toBe(404);
    });

    it('redelivers as a new delivery of the same event (202); a verification is not redelivered (409)', async () => {
      const sub = await create();
      const test = (await (await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'ticket.closed' } })).json()) as Delivery;
      const res = await call(`/api/v1/webhooks/${sub.id}/deliveries/${test.id}/redeliver`, { method: 'POST' });
      expect(res.status).toBe(202);
      const again = (await res.json()) as Delivery;
      expect(again.id).not.toBe(test.id);
      expect(again).toMatchObject({ kind: 'redelivery', redelivery_of: test.id, event_id: test.event_id, event: 'ticket.closed', status: 'pending', payload: test.payload });
      const verification = ((await (await call(`/api/v1/webhooks/${sub.id}/deliveries?event=webhook.verification`)).json()) as List<Delivery>).data[0]!;
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries/${verification.id}/redeliver`, { method: 'POST' })).status).toBe(409);
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries/dlv_nope/redeliver`, { method: 'POST' })).status).toBe(404);
      expect((await other(`/api/v1/webhooks/${sub.id}/deliveries/${test.id}/redeliver`, { method: 'POST' })).status).toBe(404);
      // Another subscription's delivery is not this one's.
      const second = await create();
      expect((await call(`/api/v1/webhooks/${second.id}/deliveries/${test.id}/redeliver`, { method: 'POST' })).status).toBe(404);
    });
  });

  describe('GET /{id}/deliveries', () => {
    it('filters by status, event and a time window, newest first', async () => {
      const sub = await create();
      const t0 = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      const a = (await (await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'lead.created' } })).json()) as Delivery;
      const b = (await (await call(`/api/v1/webhooks/${sub.id}/test`, { method: 'POST', json: { event: 'ticket.created' } })).json()) as Delivery;
      const ids = async (query: string) => ((await (await call(`/api/v1/webhooks/${sub.id}/deliveries${query}`)).json()) as List<Delivery>).data.map((d) => d.id);
      expect((await ids('')).slice(0, 2)).toEqual([b.id, a.id]);
      expect(await ids('?event=lead.created')).toEqual([a.id]);
      expect(await ids(`?since=${encodeURIComponent(t0)}`)).toEqual([b.id, a.id]);
      expect(await ids(`?until=${encodeURIComponent(t0)}`)).toHaveLength(1); // the verification
      expect(await ids('?status=pending')).toHaveLength(3);
      expect(await ids('?status=delivered')).toEqual([]);
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries?status=lost`)).status).toBe(422);
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries?event=nope`)).status).toBe(422);
      expect((await call(`/api/v1/webhooks/${sub.id}/deliveries?since=yesterday`)).status).toBe(400);
      expect((await other(`/api/v1/webhooks/${sub.id}/deliveries`)).status).toBe(404);
    });
  });

  it(`allows ${MAX_SUBSCRIPTIONS_PER_ORG} subscriptions per organization (409 beyond)`, async () => {
    const { call: own } = await h.org('Many');
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_ORG; i++) expect((await own('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['*'] } })).status).toBe(201);
    expect((await own('/api/v1/webhooks', { method: 'POST', json: { url: URL_A, events: ['*'] } })).status).toBe(409);
  });

  it('documents the event bodies as schema components and callbacks of the create operation', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { description?: string; properties?: Record<string, unknown> }> };
      paths: Record<string, Record<string, { callbacks?: Record<string, Record<string, { post: { requestBody: unknown } }>> }>>;
    };
    const ticketCreated = doc.components.schemas['WebhookEvent.ticket.created'];
    expect(ticketCreated?.description).toMatch(/ticket/);
    expect(Object.keys(ticketCreated?.properties ?? {})).toEqual(['id', 'event', 'timestamp', 'org_id', 'data']);
    expect(doc.components.schemas['WebhookEvent.webhook.verification']).toBeDefined();
    const callbacks = doc.paths['/api/v1/webhooks']!.post!.callbacks!;
    expect(Object.keys(callbacks)).toContain('message.failed');
    expect(callbacks['ticket.created']!['{$request.body#/url}']!.post.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent.ticket.created' } } } });
  });
});
