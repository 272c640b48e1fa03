/**
 * The delivery events of a campaign message name their campaign: a step sent by the sender, then
 * Meta's status webhooks (sent, delivered, read) → message.sent / message.delivered / message.read
 * delivered to a subscribed endpoint with `campaign_id`; a message that is not a campaign's keeps
 * `campaign_id: null`. The events are recorded in the same write as the status (the log document's
 * outbox), so they are in the document whenever its status has moved.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { campaignModels } from '../../../src/campaigns/models.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import type { EventType } from '../../../src/platform/events/types.js';
import { testEnv } from '../../helpers/deps.js';
import { metaValue, startSendingApp, until, type SendingApp } from './sending-harness.js';

interface Received {
  event: EventType;
  data: { message: { id: string; status: string; campaign_id: string | null; enrollment_id: string | null; campaign_step: number | null; recipient: string } };
}

describe('delivery events of campaign messages', () => {
  let s: SendingApp;
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Received & { data: { challenge?: string } };
      if (body.event === ('webhook.verification' as EventType)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: body.data.challenge }));
        return;
      }
      received.push(body);
      res.writeHead(200).end('ok');
    });
  });

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    s = await startSendingApp({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/puente`;
    const created = await s.call('/api/v1/webhooks', { method: 'POST', json: { url, events: ['message.sent', 'message.delivered', 'message.read'] } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await until(async () => ((await (await s.call(`/api/v1/webhooks/${id}`)).json()) as { status: string }).status === 'active', 15_000, 'verified');
    // Every process caches the subscriptions for a moment.
    await new Promise((r) => setTimeout(r, 2_500));
  }, 40_000);
  afterAll(async () => {
    await s.stop();
    server.close();
  });

  const status = (wamid: string, to: string, value: 'sent' | 'delivered' | 'read') => metaValue({ statuses: [{ id: wamid, status: value, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to }] });
  const eventsOf = (wamid: string) => received.filter((e) => e.data.message.id === wamid);

  it('message.sent, message.delivered and message.read of a campaign step carry its campaign, enrollment and step; another message’s carry null', async () => {
    const c = await s.contact({ first_name: 'Laura' });
    const campaignId = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['{{first_name}}'] }], contactIds: [c.id] });
    await until(() => s.graph.templateSends().some((x) => x.to === c.phone), 10_000, 'the step sent');
    const wamid = s.graph.templateSends().find((x) => x.to === c.phone)?.wamid as string;
    await until(async () => !!(await s.deps.conversations.log.model.findOne({ wamid }).lean()), 5_000, 'logged with its wamid');

    // A message of the same conversation that is not a campaign's (an agent's, logged as the outbound path does).
    const log = s.deps.conversations.log;
    const number = testEnv.WHATSAPP_PHONE_NUMBER_ID;
    const otherWamid = `wamid.not-a-campaign-${Date.now()}`;
    await log.logQueued({ outboundId: `out-${otherWamid}`, conversationKey: conversationKey(number, c.phone), phoneNumberId: number, waId: c.phone, direction: 'outbound', author: 'agent', type: 'text', text: 'Hola, soy Ana', at: new Date() });
    await log.markAccepted(`out-${otherWamid}`, otherWamid, new Date(), number);

    for (const value of ['sent', 'delivered', 'read'] as const) {
      expect((await s.postWebhook(status(wamid, c.phone, value))).status).toBe(200);
      expect((await s.postWebhook(status(otherWamid, c.phone, value))).status).toBe(200);
    }
    await until(() => eventsOf(wamid).length === 3 && eventsOf(otherWamid).length === 3, 15_000, 'the six events');
    const enrollment = await campaignModels(s.deps.mongo.connection).Enrollment.findOne({ campaign_id: campaignId, contact_id: c.id }).lean();
    expect(enrollment?._id).toMatch(/^enr_/);
    expect(eventsOf(wamid).map((e) => [e.event, e.data.message.status, e.data.message.campaign_id, e.data.message.enrollment_id, e.data.message.campaign_step])).toEqual([
      ['message.sent', 'sent', campaignId, enrollment?._id, 1],
      ['message.delivered', 'delivered', campaignId, enrollment?._id, 1],
      ['message.read', 'read', campaignId, enrollment?._id, 1],
    ]);
    expect(eventsOf(otherWamid).map((e) => [e.event, e.data.message.campaign_id, e.data.message.enrollment_id, e.data.message.campaign_step])).toEqual([
      ['message.sent', null, null, null],
      ['message.delivered', null, null, null],
      ['message.read', null, null, null],
    ]);
    for (const e of [...eventsOf(wamid), ...eventsOf(otherWamid)]) expect(EVENT_DATA[e.event].safeParse(e.data).success, JSON.stringify(e.data)).toBe(true);
    // The status itself moved with its events, and the outbox was handed over and emptied.
    const doc = await s.deps.conversations.log.model.findOne({ wamid }).lean<Record<string, unknown>>();
    expect(doc).toMatchObject({ status: 'read', campaignId });
    expect((doc?.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['queued', 'accepted', 'sent', 'delivered', 'read']);
    await until(async () => !(await s.deps.conversations.log.model.findOne({ wamid }).lean<Record<string, unknown>>())?._outbox, 5_000, 'outbox emptied');
  }, 40_000);

  it('a repeated or late status records no second event', async () => {
    const c = await s.contact();
    const campaignId = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [c.id] });
    await until(() => s.graph.templateSends().some((x) => x.to === c.phone), 10_000, 'the step sent');
    const wamid = s.graph.templateSends().find((x) => x.to === c.phone)?.wamid as string;
    await until(async () => !!(await s.deps.conversations.log.model.findOne({ wamid }).lean()), 5_000, 'logged with its wamid');
    await s.postWebhook(status(wamid, c.phone, 'delivered'));
    await s.postWebhook(status(wamid, c.phone, 'delivered'));
    await s.postWebhook(status(wamid, c.phone, 'sent'));
    await until(() => eventsOf(wamid).length >= 1, 15_000, 'delivered');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(eventsOf(wamid).map((e) => [e.event, e.data.message.campaign_id])).toEqual([['message.delivered', campaignId]]);
  }, 30_000);
});
