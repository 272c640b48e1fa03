/**
 * The campaign sender end to end: the app with its workers sends due steps through the outbound
 * path to a fake Graph API; each test counts what reached Graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignModels } from '../../../src/campaigns/models.js';
import { contactModels } from '../../../src/contacts/models.js';
import { startSendingApp, until, type SendingApp } from './sending-harness.js';

describe('the campaign sender', () => {
  let s: SendingApp;
  beforeAll(async () => {
    s = await startSendingApp();
  });
  afterAll(async () => {
    await s.stop();
  });
  const models = () => campaignModels(s.deps.mongo.connection);
  const enrollment = async (campaignId: string, contactId: string) => (await s.call(`/api/v1/campaigns/${campaignId}/contacts`).then((r) => r.json()) as { data: { contact_id: string }[] }).data.find((e) => e.contact_id === contactId) as Record<string, unknown>;
  const sendsTo = (phone: string) => s.graph.templateSends().filter((x) => x.to === phone);

  it('sends every step once, in order, renders the parameters, then completes the enrollments and the campaign', async () => {
    const a = await s.contact({ first_name: 'Laura' });
    const b = await s.contact({ first_name: 'Andrés' });
    const id = await s.campaign({
      steps: [
        { template_name: 'promo', template_parameters: [{ value: '{{first_name}}', fallback: 'cliente' }] },
        { template_name: 'seguimiento', template_parameters: ['Hogar 500'] },
      ],
      contactIds: [a.id, b.id],
    });
    await until(async () => (await s.call(`/api/v1/campaigns/${id}`).then((r) => r.json()) as { status: string }).status === 'completed', 15_000, 'completed');
    // The campaign completes once its last steps are queued; their lanes send them at its rate.
    await until(() => sendsTo(a.phone).length + sendsTo(b.phone).length >= 4, 5_000, 'the last steps sent');
    for (const [c, name] of [[a, 'Laura'], [b, 'Andrés']] as const) {
      const got = sendsTo(c.phone);
      expect(got.map((x) => [x.template, x.params])).toEqual([['promo', [name]], ['seguimiento', ['Hogar 500']]]);
      const enr = await models().Enrollment.findOne({ campaign_id: id, contact_id: c.id }).lean();
      expect(enr).toMatchObject({ status: 'completed', exit_reason: 'completed', current_step: 2, send_state: 'queued' });
      expect(enr?.sent_at).toBeInstanceOf(Date);
    }
    const campaign = (await s.call(`/api/v1/campaigns/${id}`).then((r) => r.json())) as { status_history: { to: string; by: string; reason: string }[]; completed_at: string };
    expect(campaign.status_history.at(-1)).toMatchObject({ from: 'active', to: 'completed', by: 'sender', reason: 'all_enrollments_finished' });
    expect(campaign.completed_at).not.toBeNull();
    // The conversation log knows which campaign step each message is.
    const logged = await s.deps.conversations.log.model.find({ waId: a.phone, direction: 'outbound' }).sort({ campaignStep: 1 }).lean();
    expect(logged.map((m) => [m.campaignId, m.enrollmentId, m.campaignStep, m.author])).toEqual([
      [id, expect.stringMatching(/^enr_/), 1, 'system'],
      [id, expect.stringMatching(/^enr_/), 2, 'system'],
    ]);
    expect(logged[0]?.outboundId).toBe(`cmp.${logged[0]?.enrollmentId}.1`);
    const metrics = await s.deps.metrics.registry.getSingleMetricAsString('puente_campaign_sends_total');
    expect(metrics).toMatch(/result="queued",service="puente"} [1-9]/);
    expect(metrics).toMatch(/result="accepted",service="puente"} [1-9]/);
  }, 30_000);

  it('sends a NAMED template’s header and body parameters with their parameter_name; a positional template’s in order without one', async () => {
    const c = await s.contact({ first_name: 'Laura' });
    const id = await s.campaign({
      steps: [
        { template_name: 'cumple', header_parameters: [{ name: 'nombre', value: '{{first_name}}', fallback: 'cliente' }], template_parameters: [{ name: 'plan', value: 'Hogar 300' }, { name: 'descuento', value: '20 %' }] },
        { template_name: 'promo', template_parameters: ['{{first_name}}'] },
      ],
      contactIds: [c.id],
    });
    const steps = (await s.call(`/api/v1/campaigns/${id}/messages`).then((r) => r.json())) as { data: { template_verified: boolean; template_category: string }[] };
    expect(steps.data.map((m) => [m.template_verified, m.template_category])).toEqual([[true, 'MARKETING'], [true, 'MARKETING']]);
    await until(() => sendsTo(c.phone).length === 2, 10_000, 'both steps');
    const [named, positional] = sendsTo(c.phone);
    expect(named).toMatchObject({ template: 'cumple', params: ['Hogar 300', '20 %'], names: ['plan', 'descuento'], header: [{ type: 'text', parameter_name: 'nombre', text: 'Laura' }] });
    expect(positional).toMatchObject({ template: 'promo', params: ['Laura'], names: [undefined], header: [] });
  }, 20_000);

  describe('compliance at send time', () => {
    it('never sends to a contact who opted out or became do-not-contact after enrolling: the enrollment ends with the reason', async () => {
      const out = await s.contact();
      const dnc = await s.contact();
      const fine = await s.contact();
      const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [out.id, dnc.id, fine.id], start: false });
      const { Contact } = contactModels(s.deps.mongo.connection);
      await Contact.updateOne({ _id: out.id }, { $set: { opt_in_status: 'opted_out' } });
      await Contact.updateOne({ _id: dnc.id }, { $set: { do_not_contact: true } });
      expect((await s.call(`/api/v1/campaigns/${id}/start`, { method: 'POST' })).status).toBe(200);
      await until(() => sendsTo(fine.phone).length === 1, 10_000, 'the consenting contact');
      await until(async () => (await enrollment(id, dnc.id)).status === 'unsubscribed', 5_000, 'dnc ended');
      expect(await enrollment(id, out.id)).toMatchObject({ status: 'unsubscribed', exit_reason: 'opted_out' });
      expect(await enrollment(id, dnc.id)).toMatchObject({ status: 'unsubscribed', exit_reason: 'do_not_contact' });
      expect(sendsTo(out.phone)).toEqual([]);
      expect(sendsTo(dnc.phone)).toEqual([]);
    }, 20_000);

    it('sends MARKETING only to opted-in contacts; UTILITY also to contacts whose consent is unknown', async () => {
      const unknown = await s.contact({ opt_in_status: 'unknown' });
      const unknown2 = await s.contact({ opt_in_status: 'unknown' });
      const marketing = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [unknown.id] });
      const utility = await s.campaign({ steps: [{ template_name: 'aviso', template_parameters: ['x'] }], contactIds: [unknown2.id] });
      await until(() => sendsTo(unknown2.phone).length === 1, 10_000, 'the utility send');
      await until(async () => (await enrollment(marketing, unknown.id)).status === 'completed', 5_000, 'marketing skipped');
      expect(await enrollment(marketing, unknown.id)).toMatchObject({ exit_reason: 'skipped', last_error: { code: 'not_opted_in' } });
      expect(sendsTo(unknown.phone)).toEqual([]);
      expect(await enrollment(utility, unknown2.id)).toMatchObject({ status: 'completed', exit_reason: 'completed' });
    }, 20_000);

    it('skips a recipient whose personalization value is missing without a fallback, never sending the token', async () => {
      const nameless = await s.contact({ name: null, first_name: null });
      const named = await s.contact({ first_name: 'Laura' });
      const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['{{first_name}}'] }], contactIds: [nameless.id, named.id] });
      await until(() => sendsTo(named.phone).length === 1, 10_000, 'the named contact');
      await until(async () => (await enrollment(id, nameless.id)).status === 'completed', 5_000, 'skipped');
      expect(await enrollment(id, nameless.id)).toMatchObject({ exit_reason: 'skipped', last_error: { code: 'missing_personalization', title: expect.stringContaining('{{first_name}}') } });
      expect(sendsTo(nameless.phone)).toEqual([]);
      expect(s.graph.sends.some((x) => x.params.some((p) => p.includes('{{')))).toBe(false);
    }, 20_000);

    it('caps campaign messages per contact across the organization’s campaigns: the capped step is postponed, not dropped', async () => {
      const c = await s.contact();
      const first = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['uno'] }], contactIds: [c.id], settings: { frequency_cap: '1_per_day' } });
      await until(() => sendsTo(c.phone).length === 1, 10_000, 'the first campaign');
      const second = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['dos'] }], contactIds: [c.id], settings: { frequency_cap: '1_per_day' } });
      await until(async () => {
        const e = await models().Enrollment.findOne({ campaign_id: second, contact_id: c.id }).lean();
        return !!e?.next_step_at && e.next_step_at.getTime() > Date.now() + 23 * 3_600_000;
      }, 10_000, 'postponed a day');
      expect(sendsTo(c.phone).map((x) => x.params)).toEqual([['uno']]);
      expect(await enrollment(second, c.id)).toMatchObject({ status: 'pending', current_step: 0 });
      expect(await enrollment(first, c.id)).toMatchObject({ status: 'completed' });
    }, 20_000);

    it('waits for the step’s send_time in the contact’s time zone', async () => {
      const tokyo = await s.contact({ timezone: 'Asia/Tokyo' });
      const bogota = await s.contact();
      // A time of day at least an hour away in both zones.
      const hour = (new Date().getUTCHours() + 12) % 24;
      const sendTime = `${String(hour).padStart(2, '0')}:30`;
      const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'], send_time: sendTime }], contactIds: [tokyo.id, bogota.id] });
      const due = async (contactId: string) => (await models().Enrollment.findOne({ campaign_id: id, contact_id: contactId }).lean())?.next_step_at;
      await until(async () => ((await due(tokyo.id))?.getTime() ?? 0) > Date.now() + 60_000 && ((await due(bogota.id))?.getTime() ?? 0) > Date.now() + 60_000, 10_000, 'postponed');
      const local = (d: Date, zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
      expect(local((await due(tokyo.id)) as Date, 'Asia/Tokyo')).toBe(sendTime);
      expect(local((await due(bogota.id)) as Date, 'America/Bogota')).toBe(sendTime);
      expect(sendsTo(tokyo.phone)).toEqual([]);
      expect(sendsTo(bogota.phone)).toEqual([]);
    }, 20_000);
  });

  it('a paused campaign sends nothing more; resumed, it goes on', async () => {
    const contacts = await Promise.all(Array.from({ length: 6 }, () => s.contact()));
    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: contacts.map((c) => c.id), settings: { send_rate: 2 } });
    await until(() => contacts.some((c) => sendsTo(c.phone).length > 0), 10_000, 'a first send');
    expect((await s.call(`/api/v1/campaigns/${id}/pause`, { method: 'POST' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600)); // at most the send picked up before the pause finishes
    const atPause = contacts.filter((c) => sendsTo(c.phone).length > 0).length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(contacts.filter((c) => sendsTo(c.phone).length > 0).length).toBe(atPause);
    expect(atPause).toBeLessThan(6);
    expect((await s.call(`/api/v1/campaigns/${id}/resume`, { method: 'POST' })).status).toBe(200);
    await until(() => contacts.every((c) => sendsTo(c.phone).length === 1), 15_000, 'all sent after resume');
  }, 30_000);

  describe('sending settings', () => {
    it('validates frequency_cap (422 for a cap of the right shape that is not allowed, 400 for another shape), send_rate and phone_number_id', async () => {
      for (const cap of ['0_per_day', '3_per_year', '100_per_week']) {
        const res = await s.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x', settings: { frequency_cap: cap } } });
        expect(res.status, cap).toBe(422);
        expect(await res.json()).toMatchObject({ error: { code: 'INVALID_VALUE', details: [{ path: 'settings.frequency_cap' }] } });
      }
      expect((await s.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x', settings: { frequency_cap: 'a veces' } } })).status).toBe(400);
      expect((await s.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x', settings: { send_rate: 0 } } })).status).toBe(400);
      const foreign = await s.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x', settings: { phone_number_id: '999999999999' } } });
      expect(foreign.status).toBe(422);
      expect(await foreign.json()).toMatchObject({ error: { code: 'INVALID_VALUE', details: [{ path: 'settings.phone_number_id' }] } });
      const created = await s.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x', settings: { frequency_cap: '3_per_week', send_rate: 25, phone_number_id: s.deps.config.WHATSAPP_PHONE_NUMBER_ID } } });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { id: string };
      expect(body).toMatchObject({ settings: { frequency_cap: '3_per_week', send_rate: 25, phone_number_id: s.deps.config.WHATSAPP_PHONE_NUMBER_ID } });
      const patched = await s.call(`/api/v1/campaigns/${body.id}`, { method: 'PATCH', json: { settings: { send_rate: null, frequency_cap: '5_per_year' } } });
      expect(patched.status).toBe(422);
      const cleared = await s.call(`/api/v1/campaigns/${body.id}`, { method: 'PATCH', json: { settings: { send_rate: null } } });
      expect(await cleared.json()).toMatchObject({ settings: { frequency_cap: '3_per_week', send_rate: null } });
    });
  });
});
