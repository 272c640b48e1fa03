/**
 * Conversions: a contact's lead reaching customer, or the campaign's goal stage, within the
 * campaign's conversion window after the contact's first send; and the campaign fields that set
 * them (goal_stage, settings.conversion_window_days).
 */
import { describe, expect, it } from 'vitest';
import { createConversions, DEFAULT_CONVERSION_WINDOW_DAYS } from '../../../src/campaigns/conversions.js';
import type { LeadDoc } from '../../../src/leads/models.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import type { EventRecorder } from '../../../src/platform/events/outbox.js';
import type { PuenteEvent } from '../../../src/platform/events/types.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { freshUser, useReceiving, type Json, type Receiving } from './receiving-harness.js';

const DAY_MS = 86_400_000;

/** A contact enrolled in a campaign (created with `body`) whose first send was `daysAgo` days ago (null: never sent), with an open lead. */
async function enrolled(r: Receiving, body: Json = {}, daysAgo: number | null = 1) {
  const contact = await r.contact(freshUser());
  const campaignId = await r.campaign(body);
  const [enrollmentId] = await r.enroll(campaignId, [contact]);
  if (daysAgo !== null) await r.road.deps.mongo.connection.collection('campaign_enrollments').updateOne({ _id: enrollmentId as never }, { $set: { sent_at: new Date(Date.now() - daysAgo * DAY_MS), status: 'active' } });
  const lead = (await (await r.call('/api/v1/leads', { method: 'POST', json: { contact_id: contact, source: 'campaign', deal_value: 250000 } })).json()) as Json;
  return { contact, campaignId, enrollmentId: enrollmentId!, leadId: String(lead.id) };
}

async function stage(r: Receiving, leadId: string, to: string): Promise<void> {
  const res = await r.call(`/api/v1/leads/${leadId}/stage`, { method: 'PUT', json: { stage: to } });
  if (res.status !== 200) throw new Error(`stage ${to}: ${res.status} ${await res.text()}`);
}

describe('campaign conversions', () => {
  const rec = useReceiving();

  it('goal_stage and settings.conversion_window_days: validated on create and patch (422 for a refused value, 400 for a wrong shape), defaults customer and 30', async () => {
    const r = rec();
    const create = (body: Json) => r.call('/api/v1/campaigns', { method: 'POST', json: { name: 'X', ...body } });
    expect((await create({ goal_stage: 'lost' })).status).toBe(422);
    expect((await create({ goal_stage: 'lead' })).status).toBe(422);
    expect((await create({ settings: { conversion_window_days: 0 } })).status).toBe(422);
    expect((await create({ settings: { conversion_window_days: 366 } })).status).toBe(422);
    expect((await create({ settings: { conversion_window_days: 1.5 } })).status).toBe(422);
    expect((await create({ settings: { conversion_window_days: '7' } })).status).toBe(400);
    const plain = (await (await create({})).json()) as Json;
    expect(plain).toMatchObject({ goal_stage: 'customer', settings: { conversion_window_days: DEFAULT_CONVERSION_WINDOW_DAYS } });
    const made = (await (await create({ goal_stage: 'sql', settings: { conversion_window_days: 14 } })).json()) as Json;
    expect(made).toMatchObject({ goal_stage: 'sql', settings: { conversion_window_days: 14 } });
    const patch = (body: Json) => r.call(`/api/v1/campaigns/${String(made.id)}`, { method: 'PATCH', json: body });
    expect((await patch({ goal_stage: 'won' })).status).toBe(422);
    expect((await patch({ settings: { conversion_window_days: -3 } })).status).toBe(422);
    expect(await (await patch({ goal_stage: 'opportunity', settings: { conversion_window_days: 60 } })).json()).toMatchObject({ goal_stage: 'opportunity', settings: { conversion_window_days: 60 } });
    expect(await (await patch({ goal_stage: null, settings: { conversion_window_days: null } })).json()).toMatchObject({ goal_stage: 'customer', settings: { conversion_window_days: DEFAULT_CONVERSION_WINDOW_DAYS } });
  });

  it('a lead reaching customer within the window converts the enrollment once, keeping the lead for the revenue', async () => {
    const r = rec();
    const e = await enrolled(r);
    await stage(r, e.leadId, 'customer');
    const doc = await r.enrollment(e.enrollmentId);
    expect(doc.converted_at).toBeInstanceOf(Date);
    expect(doc).toMatchObject({ converted_lead_id: e.leadId, converted_stage: 'customer' });
    const first = doc.converted_at as Date;
    await stage(r, e.leadId, 'lost');
    await stage(r, e.leadId, 'customer');
    expect((await r.enrollment(e.enrollmentId)).converted_at).toEqual(first);
    expect(await (await r.call(`/api/v1/campaigns/${e.campaignId}/performance`)).json()).toMatchObject({ converted: 1, total_revenue: 250000 });
  });

  it('outside the window (after it, or never sent) there is no conversion; a longer window takes it', async () => {
    const r = rec();
    const late = await enrolled(r, {}, DEFAULT_CONVERSION_WINDOW_DAYS + 1);
    await stage(r, late.leadId, 'customer');
    expect((await r.enrollment(late.enrollmentId)).converted_at).toBeUndefined();

    const never = await enrolled(r, {}, null);
    await stage(r, never.leadId, 'customer');
    expect((await r.enrollment(never.enrollmentId)).converted_at).toBeUndefined();

    const longer = await enrolled(r, { settings: { conversion_window_days: DEFAULT_CONVERSION_WINDOW_DAYS + 10 } }, DEFAULT_CONVERSION_WINDOW_DAYS + 1);
    await stage(r, longer.leadId, 'customer');
    expect((await r.enrollment(longer.enrollmentId)).converted_at).toBeInstanceOf(Date);
  });

  it('the campaign’s goal_stage: reaching it, or a later stage, converts; an earlier one or lost does not', async () => {
    const r = rec();
    const e = await enrolled(r, { goal_stage: 'sql' });
    await stage(r, e.leadId, 'mql');
    expect((await r.enrollment(e.enrollmentId)).converted_at).toBeUndefined();
    await stage(r, e.leadId, 'lost');
    expect((await r.enrollment(e.enrollmentId)).converted_at).toBeUndefined();
    await stage(r, e.leadId, 'opportunity');
    expect(await r.enrollment(e.enrollmentId)).toMatchObject({ converted_stage: 'opportunity' });
    // The same contact in a campaign aiming at customer is not converted by opportunity.
    const other = await r.campaign();
    const [otherEnrollment] = await r.enroll(other, [e.contact]);
    await r.road.deps.mongo.connection.collection('campaign_enrollments').updateOne({ _id: otherEnrollment as never }, { $set: { sent_at: new Date(Date.now() - DAY_MS) } });
    await stage(r, e.leadId, 'sql');
    expect((await r.enrollment(otherEnrollment!)).converted_at).toBeUndefined();
  });

  it('records contact.converted with the conversion, in the same write (outbox), with the catalog’s data', async () => {
    const r = rec();
    const e = await enrolled(r);
    const flushed: unknown[] = [];
    const recorder: EventRecorder = { wanted: async (_org, types) => new Set(types), flush: (collection, key) => void flushed.push([collection, key]) };
    const conversions = createConversions({ connection: r.road.deps.mongo.connection, events: recorder, logger: createLogger({ level: 'silent' }) });
    const lead = (await r.road.deps.mongo.connection.collection('leads').findOne({ _id: e.leadId as never })) as unknown as LeadDoc;
    const when = new Date();
    expect(await conversions.convert({ ...lead, stage: 'customer' }, when)).toBe(1);
    expect(await conversions.convert({ ...lead, stage: 'customer' }, new Date(when.getTime() + 1000))).toBe(0);
    const doc = await r.road.deps.mongo.connection.collection('campaign_enrollments').findOne({ _id: e.enrollmentId as never });
    const events = (doc!._outbox ?? []) as PuenteEvent[];
    expect(events.map((ev) => [ev.type, ev.resource])).toEqual([['contact.converted', { type: 'contact', id: e.contact }]]);
    expect(events[0]!.data).toEqual({ enrollment: { campaign_id: e.campaignId, contact_id: e.contact, at: when.toISOString() } });
    expect(EVENT_DATA['contact.converted'].safeParse(events[0]!.data).success).toBe(true);
    expect(doc!.converted_at).toEqual(when);
    expect(flushed).toEqual([['campaign_enrollments', { _id: e.enrollmentId }]]);
  });
});
