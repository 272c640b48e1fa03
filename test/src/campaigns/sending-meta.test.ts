/**
 * Meta's answers to campaign sends, by code: synchronous Graph errors and `failed` status webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignModels } from '../../../src/campaigns/models.js';
import { metaValue, startSendingApp, until, type SendingApp } from './sending-harness.js';

describe('Meta’s answers to campaign sends', () => {
  let s: SendingApp;
  beforeAll(async () => {
    s = await startSendingApp();
  });
  afterAll(async () => {
    await s.stop();
  });
  const models = () => campaignModels(s.deps.mongo.connection);
  const sendsTo = (phone: string) => s.graph.sends.filter((x) => x.to === phone && x.type === 'template');
  const campaignOf = async (id: string) => (await s.call(`/api/v1/campaigns/${id}`).then((r) => r.json())) as { status: string; status_history: { from: string; to: string; by: string; reason: string }[] };

  it('131048 (spam rate limit) pauses the campaign with the reason, counts the alert metric, and sends nothing more', async () => {
    const contacts = await Promise.all(Array.from({ length: 5 }, () => s.contact()));
    const first = contacts[0] as { id: string; phone: string };
    s.graph.refuse.set(first.phone, { code: 131048, title: 'Spam rate limit hit' });
    // One recipient per second: the first is refused long before the rest are due a slot.
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 1 } });
    await until(async () => (await campaignOf(id)).status === 'paused', 10_000, 'auto-paused');
    const campaign = await campaignOf(id);
    expect(campaign.status_history.at(-1)).toMatchObject({ from: 'active', to: 'paused', by: 'sender', reason: expect.stringContaining('131048') });
    const sentBefore = contacts.filter((c) => sendsTo(c.phone).length > 0).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(contacts.filter((c) => sendsTo(c.phone).length > 0).length).toBe(sentBefore);
    expect(sentBefore).toBeLessThan(contacts.length);
    const metric = await s.deps.metrics.registry.getSingleMetricAsString('puente_campaign_auto_paused_total');
    expect(metric).toMatch(/reason="131048",service="puente"} 1/);
    const errors = await s.deps.metrics.registry.getSingleMetricAsString('puente_campaign_send_errors_total');
    expect(errors).toMatch(/action="paused",code="131048"|code="131048",action="paused"/);
    const enr = await models().Enrollment.findOne({ campaign_id: id, contact_id: first.id }).lean();
    expect(enr?.last_error).toMatchObject({ code: '131048' });
  }, 20_000);

  it('131049 as a failed status webhook bounces the recipient, who gets no later step; the others go on', async () => {
    const bouncing = await s.contact();
    const fine = await s.contact();
    const id = await s.campaign({
      steps: [
        { template_name: 'promo', template_parameters: ['x'] },
        { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 3, delay_unit: 'minutes' },
      ],
      contactIds: [bouncing.id, fine.id],
    });
    await until(() => sendsTo(bouncing.phone).length === 1 && sendsTo(fine.phone).length === 1, 10_000, 'the first step');
    const wamid = sendsTo(bouncing.phone)[0]?.wamid as string;
    await until(async () => !!(await s.deps.conversations.log.model.findOne({ wamid }).lean()), 5_000, 'logged');
    const res = await s.postWebhook(
      metaValue({ statuses: [{ id: wamid, status: 'failed', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: bouncing.phone, errors: [{ code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' }] }] }),
    );
    expect(res.status).toBe(200);
    await until(async () => (await models().Enrollment.findOne({ campaign_id: id, contact_id: bouncing.id }).lean())?.status === 'bounced', 10_000, 'bounced');
    const bounced = await models().Enrollment.findOne({ campaign_id: id, contact_id: bouncing.id }).lean();
    expect(bounced).toMatchObject({ status: 'bounced', exit_reason: 'bounced', last_error: { code: '131049' } });
    expect(bounced?.bounced_at).toBeInstanceOf(Date);
    expect(bounced?.next_step_at).toBeUndefined();
    // The other recipient's enrollment runs on (its second step is due later), and the campaign is not paused.
    expect(await models().Enrollment.findOne({ campaign_id: id, contact_id: fine.id }).lean()).toMatchObject({ status: 'active', current_step: 1 });
    expect((await campaignOf(id)).status).toBe('active');
    // Due now: only the one not bounced gets step 2.
    await models().Enrollment.updateMany({ campaign_id: id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    await until(() => sendsTo(fine.phone).length === 2, 10_000, 'step 2');
    await new Promise((r) => setTimeout(r, 500));
    expect(sendsTo(bouncing.phone)).toHaveLength(1);
  }, 30_000);

  it('131050 answered synchronously bounces the recipient without pausing the campaign', async () => {
    const stopped = await s.contact();
    const fine = await s.contact();
    s.graph.refuse.set(stopped.phone, { code: 131050, title: 'Unable to deliver the message: user stopped marketing messages' });
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [stopped.id, fine.id] });
    await until(async () => (await models().Enrollment.findOne({ campaign_id: id, contact_id: stopped.id }).lean())?.status === 'bounced', 10_000, 'bounced');
    await until(() => s.graph.templateSends().some((x) => x.to === fine.phone), 10_000, 'the other recipient');
    expect((await campaignOf(id)).status).not.toBe('paused');
  }, 20_000);

  it('131056 (pair rate limit) given up by the lane is recorded, not a bounce nor a pause', async () => {
    const c = await s.contact();
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }, { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 1, delay_unit: 'days' }], contactIds: [c.id] });
    await until(() => sendsTo(c.phone).length === 1, 10_000, 'sent');
    const msg = await s.deps.conversations.log.model.findOne({ waId: c.phone, campaignId: id }).lean();
    // The async path: a failed status with 131056.
    await until(async () => !!(await s.deps.conversations.log.model.findOne({ wamid: sendsTo(c.phone)[0]?.wamid }).lean()), 5_000, 'logged');
    await s.postWebhook(metaValue({ statuses: [{ id: sendsTo(c.phone)[0]?.wamid, status: 'failed', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: c.phone, errors: [{ code: 131056, title: 'Pair rate limit hit' }] }] }));
    await until(async () => (await models().Enrollment.findOne({ _id: msg?.enrollmentId }).lean())?.last_error?.code === '131056', 10_000, 'recorded');
    expect(await models().Enrollment.findOne({ _id: msg?.enrollmentId }).lean()).toMatchObject({ status: 'active', current_step: 1 });
    expect((await campaignOf(id)).status).toBe('active');
  }, 20_000);
});
