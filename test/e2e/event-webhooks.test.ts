/**
 * The n8n user's story, through the real webhook, lanes, bot, CRM bridge, outbox and delivery
 * workers: subscribe to ticket.created and lead.converted, get verified, receive both — signed,
 * checked with the documented algorithm — see them in the delivery log and replay one.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationQueues } from '../../src/conversations/queue-names.js';
import { waitFor } from '../helpers/redis.js';
import { textWebhook, useRoad } from '../helpers/road.js';
import { recordGraph, userOf } from '../helpers/transcript.js';
import { recordCrm, userWithOpenTicket } from './support/handover.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghijklmnopqrstu';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; event: string; timestamp: string; org_id: string; data: Record<string, unknown> };
}

/** What docs/webhooks.md tells an integrator to do: HMAC-SHA256 of "<t>.<raw body>", any v1, at most 5 minutes old. */
function verifySignature(header: string, raw: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex');
  return parts.some(([k, v]) => k === 'v1' && v === expected);
}

describe('event webhooks for an n8n flow', () => {
  const road = useRoad({ API_ADMIN_KEY: ADMIN_KEY, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
  const received: Received[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Received['body'];
      received.push({ headers: req.headers, raw, body });
      if (body.event === 'webhook.verification') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: body.data.challenge }));
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/n8n/webhook/puente`;
  });
  afterAll(async () => {
    server.close();
  });

  it('subscribes, verifies, and delivers ticket.created and lead.converted from real flows, signed, logged and replayable', async () => {
    const admin = (path: string, body: unknown) => road().app.request(path, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { key } = (await (await admin('/api/v1/admin/orgs/default/api-keys', { name: 'n8n', scopes: ['read', 'write'] })).json()) as { key: string };
    const api = (path: string, init: { method?: string; json?: unknown } = {}) =>
      road().app.request(path, { method: init.method ?? 'GET', headers: { 'x-api-key': key, ...(init.json ? { 'content-type': 'application/json' } : {}) }, ...(init.json ? { body: JSON.stringify(init.json) } : {}) });

    const created = await api('/api/v1/webhooks', { method: 'POST', json: { url, events: ['ticket.created', 'lead.converted'], description: 'n8n: tickets and won leads' } });
    expect(created.status).toBe(201);
    const subscription = (await created.json()) as { id: string; secret: string; status: string };
    expect(subscription.status).toBe('pending_verification');
    expect(subscription.secret.length).toBeGreaterThanOrEqual(32);
    await waitFor(async () => ((await (await api(`/api/v1/webhooks/${subscription.id}`)).json()) as { status: string }).status === 'active', 15_000, 'verified');
    // Subscriptions are cached for a moment by every process: let it see the new one.
    await new Promise((r) => setTimeout(r, 2_500));

    // Seed 002: a user asks for a person → a ticket.
    recordCrm();
    const { ticket } = await userWithOpenTicket(road(), '573730000001');
    // A lead won through the API.
    const contact = (await (await api('/api/v1/contacts', { method: 'POST', json: { phone: '3007300002', name: 'Cliente N8n' } })).json()) as { id: string };
    const lead = (await (await api('/api/v1/leads', { method: 'POST', json: { contact_id: contact.id } })).json()) as { id: string };
    await api(`/api/v1/leads/${lead.id}/stage`, { method: 'PUT', json: { stage: 'customer', stage_reason: 'Firmó el contrato' } });

    const of = (event: string) => received.filter((r) => r.body.event === event);
    await waitFor(() => of('ticket.created').length > 0 && of('lead.converted').length > 0, 20_000, 'both events delivered');
    const ticketEvent = of('ticket.created')[0]!;
    expect(ticketEvent.body).toMatchObject({ org_id: 'default', data: { ticket: { ticket_id: ticket.ticketId, status: 'pending', user_phone: '573730000001' } } });
    expect(of('lead.converted')[0]!.body).toMatchObject({ data: { lead: { id: lead.id, stage: 'customer' } } });
    // Only what was subscribed: no lead.created, no ticket.updated.
    expect(new Set(received.map((r) => r.body.event))).toEqual(new Set(['webhook.verification', 'ticket.created', 'lead.converted']));
    for (const r of received.filter((x) => x.body.event !== 'webhook.verification')) {
      expect(r.headers['x-puente-event']).toBe(r.body.event);
      expect(r.headers['x-puente-delivery']).toEqual(expect.any(String));
      expect(verifySignature(String(r.headers['x-puente-signature']), r.raw, subscription.secret), r.body.event).toBe(true);
      expect(verifySignature(String(r.headers['x-puente-signature']), r.raw, 'another-secret')).toBe(false);
    }

    // The delivery log shows them; one is replayed as a new delivery of the same event.
    const log = (await (await api(`/api/v1/webhooks/${subscription.id}/deliveries`)).json()) as { data: { id: string; event: string; status: string }[] };
    const logged = log.data.find((d) => d.event === 'ticket.created');
    expect(logged).toMatchObject({ status: 'delivered' });
    const replay = await api(`/api/v1/webhooks/${subscription.id}/deliveries/${logged!.id}/redeliver`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await waitFor(() => of('ticket.created').length === 2, 10_000, 'the replay');
    const [first, again] = of('ticket.created');
    expect(again!.body.id).toBe(first!.body.id);
    expect(again!.headers['x-puente-delivery']).not.toBe(first!.headers['x-puente-delivery']);
  });
});

describe('conversation.started and conversation.ended from real conversations', () => {
  // A short idle period: the bot session's idle timeout is the conversation's.
  const IDLE_SECONDS = 2;
  const road = useRoad({ API_ADMIN_KEY: ADMIN_KEY, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', SESSION_TTL_SECONDS: String(IDLE_SECONDS) });
  const received: Received[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Received['body'];
      received.push({ headers: req.headers, raw, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body.event === 'webhook.verification' ? String(body.data.challenge) : 'ok');
    });
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/conversations`;
    const admin = (path: string, body: unknown) => road().app.request(path, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { key } = (await (await admin('/api/v1/admin/orgs/default/api-keys', { name: 'crm', scopes: ['read', 'write'] })).json()) as { key: string };
    const api = (path: string, json?: unknown) =>
      road().app.request(path, { method: json ? 'POST' : 'GET', headers: { 'x-api-key': key, ...(json ? { 'content-type': 'application/json' } : {}) }, ...(json ? { body: JSON.stringify(json) } : {}) });
    const { id } = (await (await api('/api/v1/webhooks', { url, events: ['conversation.started', 'conversation.ended'] })).json()) as { id: string };
    await waitFor(async () => ((await (await api(`/api/v1/webhooks/${id}`)).json()) as { status: string }).status === 'active', 15_000, 'verified');
    await new Promise((r) => setTimeout(r, 2_500)); // the subscription cache
  });
  afterAll(async () => {
    server.close();
  });

  type ConversationData = { conversation: { id: string; user_phone: string; phone_number_id: string; started_at: string; ended_at: string | null }; reason?: string };
  const eventsOf = (waId: string) =>
    received.filter((r) => r.body.event.startsWith('conversation.') && (r.body.data as ConversationData).conversation.user_phone === waId).map((r) => ({ event: r.body.event, id: r.body.id, data: r.body.data as ConversationData }));

  it('"hola" starts a conversation, "salir" ends it (user_left), the next message starts another', async () => {
    const graph = recordGraph();
    const user = userOf(road(), graph, '573740000001');
    await user.say('hola');
    await user.say('salir');
    await waitFor(() => eventsOf('573740000001').length === 2, 10_000, 'started and ended');
    await user.say('hola');
    await waitFor(() => eventsOf('573740000001').length === 3, 10_000, 'the next started');
    const [started, ended, next] = eventsOf('573740000001');
    expect(started).toMatchObject({ event: 'conversation.started', data: { conversation: { user_phone: '573740000001', ended_at: null } } });
    expect(started!.data.conversation.id).toMatch(/^conv_/);
    expect(ended).toMatchObject({ event: 'conversation.ended', data: { conversation: { id: started!.data.conversation.id }, reason: 'user_left' } });
    expect(ended!.data.conversation.ended_at).toEqual(expect.any(String));
    expect(next).toMatchObject({ event: 'conversation.started' });
    expect(next!.data.conversation.id).not.toBe(started!.data.conversation.id);
  });

  it('a Meta webhook delivered again — even once its dedupe key is gone and the lane processes it twice — starts one conversation', async () => {
    const graph = recordGraph();
    const body = textWebhook('573740000002', 'wamid.conv-redelivered-1', 'hola');
    expect((await road().postWebhook(body)).status).toBe(200);
    expect((await road().postWebhook(body)).status).toBe(200);
    await waitFor(() => graph.to('573740000002').length > 0, 10_000, 'the greeting');
    // Meta retrying after the dedupe key lapsed: the same message reaches the lane a second time.
    const { keyPrefix } = road().deps;
    expect(await road().deps.redis.del(`${keyPrefix}:mb:${conversationQueues.lanes}:dd:in:wamid.conv-redelivered-1`)).toBe(1);
    const again = await road().postWebhook(body);
    expect(await again.json()).toMatchObject({ messages: { queued: 1, duplicate: 0 } });
    await waitFor(async () => (await road().deps.conversations.lanes.depth(`${road().deps.config.WHATSAPP_PHONE_NUMBER_ID}:573740000002`)) === 0, 10_000, 'the lane drained');
    await waitFor(() => eventsOf('573740000002').length > 0, 10_000, 'started');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(eventsOf('573740000002').map((e) => e.event)).toEqual(['conversation.started']);
  });

  it('a conversation idle past SESSION_TTL_SECONDS ends once (reason idle), however often the sweep runs', async () => {
    const graph = recordGraph();
    const user = userOf(road(), graph, '573740000003');
    await user.say('hola');
    await waitFor(() => eventsOf('573740000003').length === 1, 10_000, 'started');
    await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 0.5) * 1000));
    // The mailbox janitor's job (every 30 s in production) runs the sweep; here a janitor job is
    // added by hand, and the sweep is run twice more directly.
    await road().deps.queues.get(conversationQueues.lanes).add('janitor', {}, { removeOnComplete: true });
    await waitFor(() => eventsOf('573740000003').length === 2, 10_000, 'ended');
    const { tracker } = road().deps.conversations;
    await tracker.sweep();
    await tracker.sweep();
    await new Promise((r) => setTimeout(r, 1_000));
    const [started, ended, ...more] = eventsOf('573740000003');
    expect(more).toEqual([]);
    expect(ended).toMatchObject({ event: 'conversation.ended', data: { conversation: { id: started!.data.conversation.id }, reason: 'idle' } });
    // Delivered once: a single delivery of the event, and the receiver saw its id once.
    expect(received.filter((r) => r.body.id === ended!.id)).toHaveLength(1);
  });
});
