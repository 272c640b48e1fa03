/**
 * A campaign step is sent at most once per (enrollment, step), whatever happens to the runs: the
 * same batch run three times at once, a run killed between claiming a step and queueing it, or
 * killed after queueing it and re-run after the outbound path's 24 h dedupe has expired. Sends are
 * counted at the fake Graph API. The runs are driven by hand here (the campaign worker is off), so
 * the same file also checks completion (campaign.completed), start_date and end_date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../../../src/conversations/outbound.js';
import { campaignModels } from '../../../src/campaigns/models.js';
import { createOutboxRelay } from '../../../src/platform/events/outbox.js';
import type { PuenteEvent } from '../../../src/platform/events/types.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import { startSendingApp, until, type SendingApp } from './sending-harness.js';

describe('campaign sends are idempotent per (enrollment, step)', () => {
  let s: SendingApp;
  beforeAll(async () => {
    // The campaign worker is off: the test runs the sender itself.
    s = await startSendingApp({}, { campaignWorker: false });
  });
  afterAll(async () => {
    await s.stop();
  });
  const models = () => campaignModels(s.deps.mongo.connection);
  const countsByPhone = (phones: string[]) => phones.map((p) => s.graph.templateSends().filter((x) => x.to === p).length);
  /** Forgets the outbound path's dedupe and sent claims of campaign items (as 24 h later). */
  const expireOutboundDedupe = async () => {
    const keys = await s.deps.redis.keys(`${s.deps.keyPrefix}*cmp.enr_*`);
    if (keys.length) await s.deps.redis.del(...keys);
    return keys.length;
  };

  it('three runs of the same campaign at once send each recipient its step once', async () => {
    const contacts = await Promise.all(Array.from({ length: 30 }, () => s.contact()));
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 200 } });
    const runs = await Promise.all([s.sender(), s.sender(), s.sender()].map((sender) => sender.runCampaign('default', id)));
    expect(runs.reduce((n, r) => n + r.queued, 0)).toBe(30);
    await until(() => s.graph.templateSends().filter((x) => contacts.some((c) => c.phone === x.to)).length >= 30, 10_000, '30 sends');
    await new Promise((r) => setTimeout(r, 300));
    expect(countsByPhone(contacts.map((c) => c.phone))).toEqual(contacts.map(() => 1));
  }, 30_000);

  it('a group whose claim another run partly won queues only the steps it won', async () => {
    const contacts = await Promise.all(Array.from({ length: 8 }, () => s.contact()));
    // 40 msg/s: one group of 8 (groupSizeFor), claimed with one update.
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 40 } });
    // Hold the group's rate reservation 800 ms off, and meanwhile let "another run" take three of its steps.
    const [sec, usec] = (await s.deps.redis.time()).map(Number) as [number, number];
    await s.deps.redis.set(`${s.deps.keyPrefix}:cmp:rate:${id}`, String(sec * 1_000_000 + usec + 800_000), 'PX', 5_000);
    const run = s.sender().runCampaign('default', id, { budgetMs: 3_000 });
    await new Promise((r) => setTimeout(r, 400));
    const taken = contacts.slice(0, 3).map((c) => c.id);
    const stolen = await models().Enrollment.updateMany({ campaign_id: id, contact_id: { $in: taken } }, { $set: { current_step: 1, status: 'active', send_state: 'queued', next_step_at: new Date(Date.now() + 86_400_000) } });
    expect(stolen.modifiedCount).toBe(3);
    expect((await run).queued).toBe(5);
    await until(() => countsByPhone(contacts.map((c) => c.phone)).reduce((a, b) => a + b, 0) >= 5, 10_000, '5 sends');
    await new Promise((r) => setTimeout(r, 300));
    expect(countsByPhone(contacts.map((c) => c.phone))).toEqual(contacts.map((_, i) => (i < 3 ? 0 : 1)));
    expect(await models().Enrollment.countDocuments({ campaign_id: id, status: 'completed', send_state: 'queued' })).toBe(5);
  }, 30_000);

  it('claims, queues and moves a group of steps with one enrollment update each, not one per step', async () => {
    const contacts = await Promise.all(Array.from({ length: 10 }, () => s.contact()));
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }, { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 1, delay_unit: 'days' }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 50 } });
    const writes: string[] = [];
    const connection = s.deps.mongo.connection;
    connection.set('debug', (collection: string, method: string) => {
      if (collection === 'campaign_enrollments' && /^(update|findOneAndUpdate|bulkWrite)/.test(method)) writes.push(method);
    });
    try {
      const summary = await s.sender().runCampaign('default', id, { budgetMs: 3_000 });
      expect(summary.queued).toBe(10);
    } finally {
      connection.set('debug', false);
    }
    // The run's scheduling of never-scheduled enrollments, then one claim and one move for the group of 10 (20 before groups).
    expect(writes).toEqual(['updateMany', 'updateMany', 'updateMany']);
    expect(await models().Enrollment.countDocuments({ campaign_id: id, current_step: 1, send_state: 'queued', status: 'active' })).toBe(10);
    await until(() => countsByPhone(contacts.map((c) => c.phone)).every((n) => n === 1), 10_000, 'one send each');
  }, 30_000);

  it('a run killed between claiming and queueing is repaired by a later run, without a second send', async () => {
    const contacts = await Promise.all(Array.from({ length: 10 }, () => s.contact()));
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 200 } });
    // The process dies after the claim of each step, before its message is queued.
    const dying: Pick<Outbound, 'enqueue'> = { enqueue: () => Promise.reject(new Error('killed')) };
    const killed = await s.sender(undefined, dying).runCampaign('default', id, { budgetMs: 3_000 });
    expect(killed.queued).toBe(0);
    expect(await models().Enrollment.countDocuments({ campaign_id: id, send_state: 'claimed', current_step: 1 })).toBe(10);
    expect(countsByPhone(contacts.map((c) => c.phone))).toEqual(contacts.map(() => 0));
    // A run before the claims time out does nothing; after, it queues each claimed step (same ids).
    expect((await s.sender().runCampaign('default', id)).queued).toBe(0);
    await models().Enrollment.updateMany({ campaign_id: id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    const [a, b] = await Promise.all([s.sender().runCampaign('default', id), s.sender().runCampaign('default', id)]);
    expect((a?.queued ?? 0) + (b?.queued ?? 0)).toBe(10);
    await until(() => countsByPhone(contacts.map((c) => c.phone)).every((n) => n === 1), 10_000, 'one send each');
    expect(await models().Enrollment.countDocuments({ campaign_id: id, status: 'completed', send_state: 'queued' })).toBe(10);
  }, 30_000);

  it('a run killed after queueing, re-run after the 24 h outbound dedupe expired, sends nothing again', async () => {
    const contacts = await Promise.all(Array.from({ length: 10 }, () => s.contact()));
    const id = await s.campaign({
      steps: [
        { template_name: 'promo', template_parameters: ['x'] },
        { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 2, delay_unit: 'days' },
      ],
      contactIds: contacts.map((c) => c.id),
      settings: { send_rate: 200 },
    });
    // Queued, then the process dies before the enrollment says so.
    const real = s.deps.conversations.outbound;
    const dyingAfter: Pick<Outbound, 'enqueue'> = { enqueue: async (items) => {
      await real.enqueue(items);
      throw new Error('killed');
    } };
    await s.sender(undefined, dyingAfter).runCampaign('default', id, { budgetMs: 3_000 });
    await until(() => countsByPhone(contacts.map((c) => c.phone)).every((n) => n === 1), 10_000, 'sent once');
    await until(async () => (await s.deps.conversations.log.model.countDocuments({ campaignId: id, status: { $ne: 'queued' } })) === 10, 5_000, 'accepted');
    // A day later: the outbound dedupe is gone and the claims have timed out.
    expect(await expireOutboundDedupe()).toBeGreaterThan(0);
    await models().Enrollment.updateMany({ campaign_id: id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    await s.sender().runCampaign('default', id);
    // Every enrollment moved on to wait for step 2, and nobody got step 1 twice.
    expect(await models().Enrollment.countDocuments({ campaign_id: id, current_step: 1, send_state: 'queued', next_step_at: { $gt: new Date() } })).toBe(10);
    // And the same batch run again later (its enrollments are past step 1 now) sends step 2 only when due, once.
    await models().Enrollment.updateMany({ campaign_id: id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    await Promise.all([s.sender().runCampaign('default', id), s.sender().runCampaign('default', id)]);
    await expireOutboundDedupe();
    await s.sender().runCampaign('default', id);
    await until(() => countsByPhone(contacts.map((c) => c.phone)).every((n) => n === 2), 10_000, 'step 2 once');
    await new Promise((r) => setTimeout(r, 500));
    expect(countsByPhone(contacts.map((c) => c.phone))).toEqual(contacts.map(() => 2));
    const steps = s.graph.templateSends().filter((x) => contacts.some((c) => c.phone === x.to)).map((x) => x.template);
    expect(steps.filter((t) => t === 'promo')).toHaveLength(10);
    expect(steps.filter((t) => t === 'seguimiento')).toHaveLength(10);
  }, 40_000);

  it('completes the campaign once every enrollment has finished, recording campaign.completed in the same write', async () => {
    const handed: PuenteEvent[] = [];
    const relay = createOutboxRelay({
      connection: s.deps.mongo.connection,
      redis: s.deps.redis,
      keyPrefix: `${s.deps.keyPrefix}:test-relay`,
      sink: { publish: async (events) => void handed.push(...events), wants: async (orgId) => orgId === 'default' },
      logger: s.deps.logger,
      collections: ['campaigns'],
      sweepGraceMs: 0,
    });
    const contacts = await Promise.all(Array.from({ length: 3 }, () => s.contact()));
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 200 } });
    const sender = s.sender(relay);
    const run = await sender.runCampaign('default', id);
    expect(run).toMatchObject({ queued: 3, completed: true });
    const doc = await models().Campaign.findOne({ _id: id }).lean();
    expect(doc).toMatchObject({ status: 'completed' });
    expect(doc?.status_history.at(-1)).toMatchObject({ from: 'active', to: 'completed', by: 'sender', reason: 'all_enrollments_finished' });
    await relay.idle();
    const completed = handed.filter((e) => e.type === 'campaign.completed' && e.resource.id === id);
    expect(completed).toHaveLength(1);
    expect(EVENT_DATA['campaign.completed'].safeParse(completed[0]?.data).success).toBe(true);
    expect(completed[0]?.data).toMatchObject({ campaign: { id, status: 'completed', reason: 'all_enrollments_finished' } });
    // Nothing more to do: a second run neither sends nor completes again.
    expect(await sender.runCampaign('default', id)).toMatchObject({ queued: 0, completed: false });
  }, 20_000);

  it('does not complete while an enrollment waits for a later step', async () => {
    const c = await s.contact();
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }, { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 1, delay_unit: 'hours' }], contactIds: [c.id], settings: { send_rate: 200 } });
    expect(await s.sender().runCampaign('default', id)).toMatchObject({ queued: 1, completed: false });
    expect((await models().Campaign.findOne({ _id: id }).lean())?.status).toBe('active');
  }, 20_000);

  it('a send cut off mid-request (its worker killed while Graph had it) is not attempted again: recorded as SEND_UNCERTAIN', async () => {
    const [cut, fine] = await Promise.all([s.contact(), s.contact()]);
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [cut!.id, fine!.id], settings: { send_rate: 200 } });
    const enr = await models().Enrollment.findOne({ campaign_id: id, contact_id: cut!.id }).lean();
    // What a killed attempt leaves behind: the item was about to reach Graph, and never ended.
    await s.deps.redis.set(`${s.deps.keyPrefix}:out:tried:cmp.${enr?._id}.1`, '1', 'EX', 600);
    await s.sender().runCampaign('default', id);
    await until(() => countsByPhone([fine!.phone])[0] === 1, 10_000, 'the other recipient');
    await until(async () => (await models().Enrollment.findOne({ _id: enr?._id }).lean())?.last_error?.code === 'SEND_UNCERTAIN', 10_000, 'recorded');
    expect(countsByPhone([cut!.phone])).toEqual([0]);
    expect(await s.deps.conversations.log.model.findOne({ outboundId: `cmp.${enr?._id}.1` }).lean()).toMatchObject({ status: 'failed', error: { code: 'SEND_UNCERTAIN' } });
  }, 20_000);

  it('sends nothing before start_date, and completes the campaign at end_date (reason end_date)', async () => {
    const c = await s.contact();
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [c.id], settings: { send_rate: 200 } });
    await models().Campaign.updateOne({ _id: id }, { $set: { start_date: new Date(Date.now() + 3_600_000) } });
    expect(await s.sender().runCampaign('default', id)).toMatchObject({ queued: 0, completed: false });
    await models().Campaign.updateOne({ _id: id }, { $unset: { start_date: '' }, $set: { end_date: new Date(Date.now() - 1_000) } });
    expect(await s.sender().runCampaign('default', id)).toMatchObject({ queued: 0, completed: true });
    expect((await models().Campaign.findOne({ _id: id }).lean())?.status_history.at(-1)).toMatchObject({ to: 'completed', by: 'sender', reason: 'end_date' });
    expect(countsByPhone([c.phone])).toEqual([0]);
  }, 20_000);
});
