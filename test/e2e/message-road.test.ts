import nock from 'nock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { messageModel } from '../../src/conversations/message-log.js';
import { testEnv } from '../helpers/deps.js';
import { waitFor } from '../helpers/redis.js';
import { statusWebhook, textWebhook, useRoad, type Road } from '../helpers/road.js';

const GRAPH = 'https://graph.test';
const MESSAGES_PATH = `/v25.0/${testEnv.WHATSAPP_PHONE_NUMBER_ID}/messages`;

interface GraphCall {
  body: { to?: string; status?: string; message_id?: string; text?: { body: string }; biz_opaque_callback_data?: string; interactive?: unknown };
  at: number;
}

/** A nock'd Graph API that records every call and answers like Meta after `delayMs`. */
function fakeGraph(delayMs = 0): GraphCall[] {
  const calls: GraphCall[] = [];
  const run = Math.random().toString(36).slice(2, 8);
  let n = 0;
  nock(GRAPH)
    .persist()
    .post(MESSAGES_PATH)
    .delay(delayMs)
    .reply(200, (_uri, body) => {
      const parsed = body as GraphCall['body'];
      calls.push({ body: parsed, at: Date.now() });
      if (parsed.status === 'read') return { success: true };
      return { messaging_product: 'whatsapp', contacts: [{ input: parsed.to, wa_id: parsed.to }], messages: [{ id: `wamid.out-${run}-${++n}` }] };
    });
  return calls;
}

describe('the message road, webhook to Graph API', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  it('marks the message read, the bot greets with the menu, and both directions are logged', async () => {
    const calls = fakeGraph();
    const receiptJobs = vi.spyOn(road.deps.queues.get('receipts'), 'add');
    const res = await road.postWebhook(textWebhook('573200000001', 'wamid.road-1', 'Hola'));
    expect(res.status).toBe(200);
    await waitFor(() => calls.length === 2, 10_000, 'two Graph calls');
    // The receipt rides with the reply (sent alongside it, in either order), not as a job of its own.
    expect(receiptJobs).not.toHaveBeenCalled();
    const receipt = calls.find((c) => c.body.status === 'read')!;
    const reply = calls.find((c) => c.body.status !== 'read')!;
    expect(receipt.body).toMatchObject({ status: 'read', message_id: 'wamid.road-1' });
    expect(reply.body).toMatchObject({
      to: '573200000001',
      type: 'interactive',
      interactive: { type: 'list', body: { text: expect.stringContaining('¡Hola, Usuario!') } },
      biz_opaque_callback_data: 'wamid.road-1',
    });

    const Message = messageModel(road.deps.mongo.connection);
    await waitFor(async () => (await Message.countDocuments({ conversationKey: `${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573200000001`, status: { $ne: 'queued' } })) === 2);
    const log = await Message.find({ waId: '573200000001' }).sort({ at: 1, direction: 1 }).lean();
    expect(log.map((m) => [m.direction, m.author, m.type, m.status])).toEqual([
      ['inbound', 'user', 'text', 'received'],
      ['outbound', 'bot', 'interactive', 'accepted'],
    ]);
    expect(log[0]!.text).toBe('Hola');
    expect(log[1]!.wamid).toMatch(/^wamid\.out-/);
  });

  it('sends the reply exactly once when the read receipt riding with it fails', async () => {
    const replies: GraphCall['body'][] = [];
    nock(GRAPH)
      .persist()
      .post(MESSAGES_PATH)
      .reply((_uri, body) => {
        const parsed = body as GraphCall['body'];
        if (parsed.status === 'read') return [503, { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, fbtrace_id: 'x' } }];
        replies.push(parsed);
        return [200, { messaging_product: 'whatsapp', contacts: [{ input: parsed.to, wa_id: parsed.to }], messages: [{ id: `wamid.out-receipt-${replies.length}` }] }];
      });
    await road.postWebhook(textWebhook('573200000031', 'wamid.road-receipt', 'Hola'));
    const Message = messageModel(road.deps.mongo.connection);
    await waitFor(async () => (await Message.countDocuments({ waId: '573200000031', direction: 'outbound', status: 'accepted' })) === 1, 10_000, 'the reply accepted');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a wrong retry to show up
    expect(replies.map((r) => r.biz_opaque_callback_data)).toEqual(['wamid.road-receipt']);
  });

  it('answers each user in the order they wrote, across interleaved webhooks', async () => {
    const calls = fakeGraph(20);
    const users = ['573200000011', '573200000012', '573200000013'];
    for (let n = 0; n < 4; n++) for (const u of users) await road.postWebhook(textWebhook(u, `wamid.order-${u}-${n}`, `m${n}`));
    const answeredFor = (u: string) => [...new Set(calls.filter((c) => c.body.to === u && !c.body.status).map((c) => c.body.biz_opaque_callback_data))];
    await waitFor(() => users.every((u) => answeredFor(u).length === 4), 15_000, 'a reply to every message');
    for (const u of users) {
      const replies = calls.filter((c) => c.body.to === u && !c.body.status).map((c) => c.body.biz_opaque_callback_data);
      // Several replies may answer one message, but never interleaved with another message's replies.
      expect(replies.filter((cb, i) => cb !== replies[i - 1])).toEqual([0, 1, 2, 3].map((n) => `wamid.order-${u}-${n}`));
    }
  });

  it('moves the delivery status only forward, whatever order the status webhooks arrive in', async () => {
    const calls = fakeGraph();
    await road.postWebhook(textWebhook('573200000021', 'wamid.status-1', 'hola'));
    await waitFor(() => calls.some((c) => c.body.to === '573200000021'));
    const Message = messageModel(road.deps.mongo.connection);
    let sent: { wamid?: string } | null = null;
    await waitFor(async () => !!(sent = await Message.findOne({ waId: '573200000021', direction: 'outbound', status: 'accepted' }).lean()));
    const wamid = sent!.wamid!;
    const now = Math.floor(Date.now() / 1000);
    await road.postWebhook(statusWebhook(wamid, 'read', '573200000021', now + 2));
    await road.postWebhook(statusWebhook(wamid, 'sent', '573200000021', now));
    await road.postWebhook(statusWebhook(wamid, 'delivered', '573200000021', now + 1));
    await waitFor(async () => ((await Message.findOne({ wamid }).lean())?.statusHistory.length ?? 0) >= 5);
    const doc = await Message.findOne({ wamid }).lean();
    expect(doc?.status).toBe('read');
    expect(doc?.statusHistory.map((h) => h.status).sort()).toEqual(['accepted', 'delivered', 'queued', 'read', 'sent']);
  });

  it('records a failed status as terminal, with Meta’s error code and title', async () => {
    const calls = fakeGraph();
    await road.postWebhook(textWebhook('573200000031', 'wamid.fail-1', 'hola'));
    await waitFor(() => calls.some((c) => c.body.to === '573200000031'));
    const Message = messageModel(road.deps.mongo.connection);
    let sent: { wamid?: string } | null = null;
    await waitFor(async () => !!(sent = await Message.findOne({ waId: '573200000031', direction: 'outbound', status: 'accepted' }).lean()));
    const wamid = sent!.wamid!;
    await road.postWebhook(statusWebhook(wamid, 'failed', '573200000031', undefined, [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' }]));
    await road.postWebhook(statusWebhook(wamid, 'delivered', '573200000031'));
    await waitFor(async () => (await Message.findOne({ wamid }).lean())?.status === 'failed');
    await waitFor(async () => ((await Message.findOne({ wamid }).lean())?.statusHistory.length ?? 0) >= 4);
    const doc = await Message.findOne({ wamid }).lean();
    expect(doc).toMatchObject({ status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
  });
});
