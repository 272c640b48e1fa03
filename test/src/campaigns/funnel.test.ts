/**
 * The per-recipient funnel from real status webhooks and replies: fixture webhooks
 * (test/fixtures/campaigns/) posted, signed, to /webhook; the ingress, the status queue and the
 * conversation lanes run for real; campaign messages are logged as the sender logs them.
 */
import { describe, expect, it } from 'vitest';
import { campaignMessagesFrom } from '../../../src/campaigns/campaign-messages.js';
import { createActivityLog } from '../../../src/campaigns/activity-log.js';
import { createFunnelTracking } from '../../../src/campaigns/funnel-tracking.js';
import { REPLY_WINDOW_MS } from '../../../src/campaigns/replies.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import { waitFor } from '../../helpers/redis.js';
import { textWebhook } from '../../helpers/road.js';
import { campaignFixture, enrollmentWith, freshUser, seconds, stepActivities, useReceiving, type Json, type Receiving } from './receiving-harness.js';

const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

/** A contact enrolled in a fresh campaign, its step 1 logged as sent `hoursAgo` ago. */
async function sentStep(r: Receiving, hoursAgo = 3, campaign?: string) {
  const waId = freshUser();
  const contact = await r.contact(waId);
  const campaignId = campaign ?? (await r.campaign());
  const [enrollmentId] = await r.enroll(campaignId, [contact]);
  const t0 = seconds(new Date()) - Math.round(hoursAgo * 3600);
  const wamid = `wamid.CMP${waId}S1`;
  await r.logSend({ waId, campaignId, enrollmentId: enrollmentId!, step: 1, wamid, at: at(t0) });
  return { waId, contact, campaignId, enrollmentId: enrollmentId!, t0, wamid };
}

describe('the campaign funnel from status webhooks', () => {
  const rec = useReceiving();

  it('sent, delivered and read statuses set sent_at, delivered_at and read_at, and each step activity', async () => {
    const r = rec();
    const s = await sentStep(r);
    for (const name of ['status-sent.json', 'status-delivered.json', 'status-read.json']) await r.post(campaignFixture(name, s));
    await waitFor(async () => (await stepActivities(r, s.campaignId)).length === 3, 10_000, 'three activities');
    const doc = await enrollmentWith(r, s.enrollmentId, 'read_at');
    expect(doc).toMatchObject({ sent_at: at(s.t0 + 2), delivered_at: at(s.t0 + 4), read_at: at(s.t0 + 3600) });
    expect((await stepActivities(r, s.campaignId)).map((a) => [a.type, a.step, (a.at as Date).getTime(), a.contact_id, a.enrollment_id])).toEqual([
      ['message_sent', 1, at(s.t0 + 2).getTime(), s.contact, s.enrollmentId],
      ['message_delivered', 1, at(s.t0 + 4).getTime(), s.contact, s.enrollmentId],
      ['message_read', 1, at(s.t0 + 3600).getTime(), s.contact, s.enrollmentId],
    ]);
  });

  it('out of order, duplicated, in one delivery: the earliest time of each point wins and nothing counts twice', async () => {
    const r = rec();
    const s = await sentStep(r);
    const body = campaignFixture('statuses-out-of-order.json', s);
    await r.post(body);
    await r.post(body); // Meta redelivers the whole webhook
    await waitFor(async () => (await r.enrollment(s.enrollmentId)).sent_at instanceof Date && ((await r.enrollment(s.enrollmentId)).sent_at as Date).getTime() === at(s.t0 + 2).getTime(), 10_000, 'sent_at at its own time');
    await waitFor(async () => ((await r.enrollment(s.enrollmentId)).delivered_at as Date | undefined)?.getTime() === at(s.t0 + 4).getTime(), 10_000, 'delivered_at at its own time');
    expect(await r.enrollment(s.enrollmentId)).toMatchObject({ sent_at: at(s.t0 + 2), delivered_at: at(s.t0 + 4), read_at: at(s.t0 + 3600) });
    const acts = await stepActivities(r, s.campaignId);
    expect(acts.map((a) => [a.type, (a.at as Date).getTime()])).toEqual([
      ['message_sent', at(s.t0 + 2).getTime()],
      ['message_delivered', at(s.t0 + 4).getTime()],
      ['message_read', at(s.t0 + 3600).getTime()],
    ]);
    const perf = (await (await r.call(`/api/v1/campaigns/${s.campaignId}/performance`)).json()) as Json;
    expect(perf).toMatchObject({ sent: 1, delivered: 1, read: 1, messages: { sent: 1, delivered: 1, read: 1, replied: 0, failed: 0 } });
  });

  it('a read that comes alone implies delivered and sent at its time; earlier reports lower them later', async () => {
    const r = rec();
    const s = await sentStep(r);
    await r.post(campaignFixture('status-read.json', s));
    const first = await enrollmentWith(r, s.enrollmentId, 'read_at');
    expect(first).toMatchObject({ sent_at: at(s.t0 + 3600), delivered_at: at(s.t0 + 3600), read_at: at(s.t0 + 3600) });
    await r.post(campaignFixture('status-delivered.json', s));
    await waitFor(async () => ((await r.enrollment(s.enrollmentId)).delivered_at as Date).getTime() === at(s.t0 + 4).getTime(), 10_000, 'delivered lowered');
    expect(await r.enrollment(s.enrollmentId)).toMatchObject({ sent_at: at(s.t0 + 4), delivered_at: at(s.t0 + 4), read_at: at(s.t0 + 3600) });
    const f = (await (await r.call(`/api/v1/campaigns/${s.campaignId}/funnel`)).json()) as Json;
    expect((f.stages as Json[]).map((x) => [x.stage, x.count])).toEqual([['enrolled', 1], ['sent', 1], ['delivered', 1], ['read', 1], ['replied', 0], ['converted', 0]]);
  });

  it('a status job run twice (the queue delivers at least once) changes nothing the second time', async () => {
    const r = rec();
    const s = await sentStep(r);
    const conn = r.road.deps.mongo.connection;
    const tracking = createFunnelTracking({ connection: conn, messages: campaignMessagesFrom(r.road.deps.conversations.log.model), activities: createActivityLog(conn), logger: createLogger({ level: 'silent' }) });
    const [status] = normalizeWebhook(JSON.parse(campaignFixture('status-delivered.json', s)) as never).statuses;
    expect(await tracking.apply(status!)).toBe(true);
    const once = await r.enrollment(s.enrollmentId);
    expect(await tracking.apply(status!)).toBe(true);
    const twice = await r.enrollment(s.enrollmentId);
    expect(twice.delivered_at).toEqual(once.delivered_at);
    expect(twice.sent_at).toEqual(at(s.t0 + 4));
    expect((await stepActivities(r, s.campaignId)).map((a) => a.type)).toEqual(['message_delivered', 'message_sent']);
    // A status of a message that is not a campaign's is not the funnel's business.
    expect(await tracking.apply({ ...status!, wamid: 'wamid.not-a-campaign-message' })).toBe(false);
    // Nor is one Meta echoes a reply's tag for (the user's message id): no look-up at all.
    expect(await tracking.apply({ ...status!, bizOpaqueCallbackData: 'wamid.the-user-message' })).toBe(false);
  });

  it('each step keeps its own activities; the enrollment keeps the first time; a failed status is the step’s message_failed', async () => {
    const r = rec();
    const s = await sentStep(r);
    await r.post(campaignFixture('status-read.json', s));
    await enrollmentWith(r, s.enrollmentId, 'read_at');
    const wamid2 = `wamid.CMP${s.waId}S2`;
    await r.logSend({ waId: s.waId, campaignId: s.campaignId, enrollmentId: s.enrollmentId, step: 2, wamid: wamid2, at: at(s.t0 + 7000) });
    await r.post(campaignFixture('status-delivered.json', { ...s, wamid: wamid2, t0: s.t0 + 7000 }));
    await r.logSend({ waId: s.waId, campaignId: s.campaignId, enrollmentId: s.enrollmentId, step: 3, wamid: `wamid.CMP${s.waId}S3`, at: at(s.t0 + 7100) });
    await r.post(campaignFixture('status-failed-131050.json', { ...s, wamid: `wamid.CMP${s.waId}S3`, t0: s.t0 + 7100 }));
    await waitFor(async () => (await stepActivities(r, s.campaignId)).length === 3 + 2 + 1, 20_000, 'activities of three steps');
    const acts = await stepActivities(r, s.campaignId);
    expect(acts.map((a) => [a.step, a.type])).toEqual([
      // Implied by the read and the delivered status, at their times (ties sort by type here).
      [1, 'message_delivered'],
      [1, 'message_read'],
      [1, 'message_sent'],
      [2, 'message_delivered'],
      [2, 'message_sent'],
      [3, 'message_failed'],
    ]);
    expect(acts.at(-1)!.detail).toMatch(/^131050 Unable to deliver/);
    expect(await r.enrollment(s.enrollmentId)).toMatchObject({ sent_at: at(s.t0 + 3600), delivered_at: at(s.t0 + 3600), read_at: at(s.t0 + 3600) });
    const step2 = (await (await r.call(`/api/v1/campaigns/${s.campaignId}/activities?step=2`)).json()) as Json;
    expect((step2.data as Json[]).map((a) => [a.type, a.step])).toEqual([
      ['message_delivered', 2],
      ['message_sent', 2],
    ]);
  });
});

describe('replies to campaign messages', () => {
  const rec = useReceiving({ LEAD_SCORE_DEBOUNCE_MS: '50' });

  it('a reply quoting the campaign message (context.id) sets replied_at and message_replied, and the bot still answers it', async () => {
    const r = rec();
    const s = await sentStep(r);
    await r.post(campaignFixture('inbound-reply-context.json', s));
    const doc = await enrollmentWith(r, s.enrollmentId, 'replied_at');
    expect(doc.replied_at).toEqual(at(s.t0 + 7200));
    expect((await stepActivities(r, s.campaignId)).map((a) => [a.type, a.step, (a.at as Date).getTime()])).toEqual([['message_replied', 1, at(s.t0 + 7200).getTime()]]);
    await waitFor(() => r.sent.some((m) => m.to === s.waId), 10_000, 'the bot’s answer');
  });

  it(`an unquoted message counts within ${REPLY_WINDOW_MS / 3_600_000} h of the campaign message that was the last one sent, not after`, async () => {
    const r = rec();
    const recent = await sentStep(r, 2);
    const old = await sentStep(r, 25, recent.campaignId);
    const now = seconds(new Date());
    await r.post(textWebhook(recent.waId, `wamid.IN${recent.waId}`, '¿Cuánto cuesta?', now));
    await r.post(textWebhook(old.waId, `wamid.IN${old.waId}`, '¿Cuánto cuesta?', now));
    expect((await enrollmentWith(r, recent.enrollmentId, 'replied_at')).replied_at).toEqual(at(now));
    // The bot answering the late one is the point after which it would have been attributed.
    await waitFor(() => r.sent.some((m) => m.to === old.waId), 10_000, 'the bot’s answer to the late one');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await r.enrollment(old.enrollmentId)).replied_at).toBeUndefined();
  });

  it('a campaign reply feeds the lead’s engagement score (its replies signal)', async () => {
    const r = rec();
    const s = await sentStep(r);
    const lead = (await (await r.call('/api/v1/leads', { method: 'POST', json: { contact_id: s.contact, source: 'campaign', deal_value: 120000 } })).json()) as Json;
    await r.post(campaignFixture('inbound-reply-context.json', s));
    await enrollmentWith(r, s.enrollmentId, 'replied_at');
    expect((await r.call(`/api/v1/leads/${String(lead.id)}/qualify`, { method: 'POST', json: {} })).status).toBe(200);
    const scores = (await (await r.call(`/api/v1/leads/${String(lead.id)}/scores`)).json()) as { scores_by_type: Record<string, { factors: { replies: { count: number } } }> };
    expect(scores.scores_by_type.engagement!.factors.replies.count).toBe(1);
  });
});

describe('performance, funnel and activities from a known set of enrollments', () => {
  const rec = useReceiving();

  it('counts, rates, revenue, response time; the funnel; activities newest first with filters and paging', async () => {
    const r = rec();
    const campaignId = await r.campaign({ budget: 100000, goal_type: 'conversion', goal_value: 4 });
    const a = await sentStep(r, 3, campaignId); // sent, delivered, read, replied, converted
    const b = await sentStep(r, 3, campaignId); // sent, delivered
    const c = await sentStep(r, 3, campaignId); // failed
    const dContact = await r.contact(freshUser()); // enrolled, never sent
    await r.enroll(campaignId, [dContact]);
    for (const name of ['status-sent.json', 'status-delivered.json', 'status-read.json', 'inbound-reply-context.json']) await r.post(campaignFixture(name, a));
    for (const name of ['status-sent.json', 'status-delivered.json']) await r.post(campaignFixture(name, b));
    await r.post(campaignFixture('status-failed-131050.json', c));
    await waitFor(async () => (await stepActivities(r, campaignId)).length === 4 + 2 + 1, 20_000, 'every status and the reply');
    const lead = (await (await r.call('/api/v1/leads', { method: 'POST', json: { contact_id: a.contact, source: 'campaign', deal_value: 500000 } })).json()) as Json;
    expect((await r.call(`/api/v1/leads/${String(lead.id)}/stage`, { method: 'PUT', json: { stage: 'customer' } })).status).toBe(200);
    await enrollmentWith(r, a.enrollmentId, 'converted_at');

    const perf = (await (await r.call(`/api/v1/campaigns/${campaignId}/performance`)).json()) as Json;
    expect(perf).toMatchObject({
      enrolled: 4,
      sent: 2,
      delivered: 2,
      read: 1,
      replied: 1,
      converted: 1,
      conversions: 1,
      delivery_rate: 100,
      read_rate: 50,
      reply_rate: 50,
      conversion_rate: 25,
      goal: { achieved: 1, progress: 25 },
      cost_per_conversion: 100000,
      total_revenue: 500000,
      roi: 400,
      avg_response_time_hours: 2, // (7200 − 2) s
      messages: { sent: 2, delivered: 2, read: 1, replied: 1, failed: 1 },
    });
    const funnel = (await (await r.call(`/api/v1/campaigns/${campaignId}/funnel`)).json()) as Json;
    expect((funnel.stages as Json[]).map((s) => [s.stage, s.count, s.rate_from_previous, s.percentage])).toEqual([
      ['enrolled', 4, 100, 100],
      ['sent', 2, 50, 50],
      ['delivered', 2, 100, 50],
      ['read', 1, 50, 25],
      ['replied', 1, 100, 25],
      ['converted', 1, 100, 25],
    ]);

    const all = (await (await r.call(`/api/v1/campaigns/${campaignId}/activities?limit=100`)).json()) as Json;
    // created + 4 enrolled + 1 converted + (2 sent, 2 delivered, 1 read, 1 replied, 1 failed), and
    // the sender's bounce of the 131050 recipient (contact_bounced), if it made one.
    expect(all.total).toBe(1 + 4 + 1 + 7 + (perf.bounced as number));
    const types = (all.data as Json[]).map((x) => x.type);
    expect(types[0]).toBe('contact_converted');
    expect(types.filter((t) => t === 'message_failed')).toHaveLength(1);
    const times = (all.data as Json[]).map((x) => Date.parse(x.at as string));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const ofA = (await (await r.call(`/api/v1/campaigns/${campaignId}/activities?contact_id=${a.contact}&limit=100`)).json()) as Json;
    // (The test logs the sends hours back, so here the enrollment is newer than they are.)
    expect((ofA.data as Json[]).map((x) => x.type)).toEqual(['contact_converted', 'contact_enrolled', 'message_replied', 'message_read', 'message_delivered', 'message_sent']);
    const reads = (await (await r.call(`/api/v1/campaigns/${campaignId}/activities?type=message_read`)).json()) as Json;
    expect(reads).toMatchObject({ total: 1, data: [{ type: 'message_read', scope: 'contact', contact_id: a.contact, enrollment_id: a.enrollmentId, step: 1 }] });
    const page = (await (await r.call(`/api/v1/campaigns/${campaignId}/activities?skip=2&limit=3`)).json()) as Json;
    expect(page).toMatchObject({ total: all.total, skip: 2, limit: 3 });
    expect(page.data).toEqual((all.data as Json[]).slice(2, 5));
    expect((await r.call(`/api/v1/campaigns/${campaignId}/activities?type=email_opened`)).status).toBe(422);
    expect((await r.call(`/api/v1/campaigns/${campaignId}/activities?step=x`)).status).toBe(400);
  });
});

describe('end to end with the campaign sender', () => {
  const rec = useReceiving({ CAMPAIGN_SENDER_TICK_MS: '100' });

  it('the sender sends step 1, Meta’s statuses fill the funnel, the user’s BAJA quoting it opts them out', async () => {
    const r = rec();
    const waId = freshUser();
    const contact = await r.contact(waId);
    const campaignId = await r.campaign();
    // A second step a day later: after step 1 the enrollment is still running.
    expect((await r.call(`/api/v1/campaigns/${campaignId}/messages`, { method: 'POST', json: { template_name: 'seguimiento', template_language: 'es', delay_amount: 1, delay_unit: 'days' } })).status).toBe(201);
    const [enrollmentId] = await r.enroll(campaignId, [contact]);
    expect((await r.call(`/api/v1/campaigns/${campaignId}/start`, { method: 'POST', json: {} })).status).toBe(200);
    const Message = r.road.deps.conversations.log.model;
    let wamid = '';
    await waitFor(async () => (wamid = String((await Message.findOne({ outboundId: `cmp.${enrollmentId}.1` }).lean())?.wamid ?? '')).startsWith('wamid.'), 15_000, 'step 1 accepted by Graph');
    expect(r.sent.filter((m) => m.to === waId).map((m) => m.type)).toEqual(['template']);
    const t0 = seconds(new Date());
    for (const name of ['status-sent.json', 'status-delivered.json', 'status-read.json']) await r.post(campaignFixture(name, { wamid, waId, t0 }));
    const doc = await enrollmentWith(r, enrollmentId!, 'read_at');
    expect(doc).toMatchObject({ delivered_at: at(t0 + 4), read_at: at(t0 + 3600) });
    await r.post(campaignFixture('inbound-opt-out-baja.json', { wamid, waId, t0: t0 - 7000 }));
    await waitFor(async () => (await r.enrollment(enrollmentId!)).status === 'unsubscribed', 10_000, 'opted out');
    expect(await r.enrollment(enrollmentId!)).toMatchObject({ exit_reason: 'opted_out' });
    await waitFor(() => r.sent.filter((m) => m.to === waId).length === 2, 10_000, 'the confirmation');
    expect(r.sent.filter((m) => m.to === waId).map((m) => m.type)).toEqual(['template', 'text']);
    const perf = (await (await r.call(`/api/v1/campaigns/${campaignId}/performance`)).json()) as Json;
    expect(perf).toMatchObject({ sent: 1, delivered: 1, read: 1, unsubscribed: 1, unsubscribe_rate: 100 });
    expect(((await (await r.call(`/api/v1/contacts/${contact}`)).json()) as Json).opt_in_status).toBe('opted_out');
  });
});
