/**
 * Campaign sends go through the same paced outbound path as replies, at a lower priority: with a
 * backlog of campaign sends waiting for the number's send slots, a bot reply to a chatting user
 * takes the next free slot, ahead of them. Measured at the fake Graph API by arrival order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textWebhook } from '../../helpers/road.js';
import { startSendingApp, until, type SendingApp } from './sending-harness.js';

describe('campaign sends never hold up a reply', () => {
  let s: SendingApp;
  beforeAll(async () => {
    // 5 msg/s per number: slots 200 ms apart. Two campaigns at 5 msg/s each queue twice what the number can send.
    s = await startSendingApp({ WHATSAPP_MAX_MPS: '5' });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('a bot reply overtakes the campaign sends waiting for a slot (at most one campaign send between the message and the reply)', async () => {
    const contacts = await Promise.all(Array.from({ length: 40 }, () => s.contact()));
    const phones = new Set(contacts.map((c) => c.phone));
    await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.slice(0, 20).map((c) => c.id), settings: { send_rate: 5 } });
    await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.slice(20).map((c) => c.id), settings: { send_rate: 5 } });
    const campaignSends = () => s.graph.templateSends().filter((x) => phones.has(x.to));
    // Let a backlog build: 10 queued per second, 5 sent.
    await until(() => campaignSends().length >= 8, 15_000, 'campaign sending');
    await new Promise((r) => setTimeout(r, 1_000));
    const user = '573209990001';
    const before = performance.now();
    expect((await s.postWebhook(textWebhook(user, `wamid.prio-${Date.now()}`, 'hola'))).status).toBe(200);
    await until(() => s.graph.sends.some((x) => x.to === user && x.type !== 'template'), 10_000, 'the bot reply');
    const reply = s.graph.sends.find((x) => x.to === user && x.type !== 'template');
    const overtaken = campaignSends().filter((x) => x.at > before && x.at < (reply?.at ?? 0));
    // The campaigns were still sending (a backlog was waiting) …
    await until(() => campaignSends().some((x) => x.at > (reply?.at ?? 0)), 10_000, 'campaign sends after the reply');
    // … and the reply went at most one slot after the message arrived (at most one campaign send took a slot first).
    expect(overtaken.length).toBeLessThanOrEqual(1);
  }, 40_000);
});
