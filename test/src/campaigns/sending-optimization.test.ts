/**
 * settings.send_time_optimization: a step without send_time waits for the hour each recipient
 * usually writes or reads (their conversation log, their time zone), once per step and never more
 * than a day; without enough history, or with history only on another organization's number, it
 * goes now; a step's send_time wins. The sender's runs are driven by hand over the real stores.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { campaignModels } from '../../../src/campaigns/models.js';
import type { Sender } from '../../../src/campaigns/sender.js';
import { localHour, nextLocalHour } from '../../../src/campaigns/send-window.js';
import { testEnv } from '../../helpers/deps.js';
import { startSendingApp, until, type SendingApp } from './sending-harness.js';

const DAY = 86_400_000;
const NUMBER = testEnv.WHATSAPP_PHONE_NUMBER_ID;

describe('send time optimization', () => {
  let s: SendingApp;
  let sender: Sender;
  beforeAll(async () => {
    s = await startSendingApp({}, { campaignWorker: false });
    sender = s.sender();
  });
  afterAll(async () => {
    await s.stop();
  });
  const models = () => campaignModels(s.deps.mongo.connection);
  const enrollment = async (campaignId: string, contactId: string) => (await models().Enrollment.findOne({ campaign_id: campaignId, contact_id: contactId }).lean())!;
  const sendsTo = (phone: string) => s.graph.templateSends().filter((x) => x.to === phone);
  const wallClock = (d: Date, zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  const two = (n: number) => String(n).padStart(2, '0');

  /** Moments in the conversation log: on each of the last `days` days at `hour` (+15 min) in `zone`, a message the user wrote or a read of ours. */
  async function history(waId: string, input: { hour: number; zone: string; days: number; kind: 'inbound' | 'read'; number?: string }) {
    const number = input.number ?? NUMBER;
    const docs = Array.from({ length: input.days }, (_v, i) => {
      const at = new Date(nextLocalHour(input.hour, input.zone, new Date(Date.now() - (i + 2) * DAY)).getTime() + 15 * 60_000);
      const base = { conversationKey: `${number}:${waId}`, phoneNumberId: number, waId, type: 'text', createdAt: at, updatedAt: at };
      return input.kind === 'inbound'
        ? { ...base, direction: 'inbound', author: 'user', text: 'hola', wamid: `wamid.sto-${randomUUID()}`, status: 'received', statusRank: 0, statusHistory: [{ status: 'received', at }], at }
        : {
            ...base,
            direction: 'outbound',
            author: 'bot',
            text: 'Menú',
            outboundId: `sto-${randomUUID()}`,
            wamid: `wamid.sto-${randomUUID()}`,
            status: 'read',
            statusRank: 4,
            // Sent hours before: the read's time is what counts.
            statusHistory: [{ status: 'accepted', at: new Date(at.getTime() - 5 * 3_600_000) }, { status: 'read', at }],
            at: new Date(at.getTime() - 5 * 3_600_000),
          };
    });
    await s.deps.conversations.log.model.collection.insertMany(docs);
  }

  it('holds each step for the recipient’s usual hour in their zone (one log query for the batch), sends now without enough history, and only once per step', async () => {
    const bogotaHour = (localHour(new Date(), 'America/Bogota') + 6) % 24;
    const tokyoHour = (localHour(new Date(), 'Asia/Tokyo') + 8) % 24;
    const writer = await s.contact();
    const reader = await s.contact({ timezone: 'Asia/Tokyo' });
    const newcomer = await s.contact();
    const elsewhere = await s.contact();
    await history(writer.phone, { hour: bogotaHour, zone: 'America/Bogota', days: 4, kind: 'inbound' });
    await history(writer.phone, { hour: (bogotaHour + 3) % 24, zone: 'America/Bogota', days: 1, kind: 'inbound' });
    await history(reader.phone, { hour: tokyoHour, zone: 'Asia/Tokyo', days: 3, kind: 'read' });
    await history(newcomer.phone, { hour: bogotaHour, zone: 'America/Bogota', days: 2, kind: 'inbound' });
    // Plenty of history, but with another organization's number: not this organization's to learn from.
    await history(elsewhere.phone, { hour: bogotaHour, zone: 'America/Bogota', days: 5, kind: 'inbound', number: '999000111222' });

    const id = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }, { template_name: 'seguimiento', template_parameters: ['y'], delay_amount: 2, delay_unit: 'days' }], contactIds: [writer.id, reader.id, newcomer.id, elsewhere.id], settings: { send_time_optimization: true } });
    const aggregate = vi.spyOn(s.deps.conversations.log.model, 'aggregate');
    const before = Date.now();
    const run = await sender.runCampaign('default', id);
    expect(aggregate).toHaveBeenCalledTimes(1);
    aggregate.mockRestore();
    expect(run).toMatchObject({ queued: 2, postponed: 2 });

    const held = await enrollment(id, writer.id);
    expect(held).toMatchObject({ status: 'pending', current_step: 0, optimized_step: 1 });
    expect(wallClock(held.next_step_at!, 'America/Bogota')).toBe(`${two(bogotaHour)}:00`);
    expect(held.next_step_at!.getTime() - before).toBeGreaterThan(0);
    expect(held.next_step_at!.getTime() - before).toBeLessThanOrEqual(DAY);
    const heldReader = await enrollment(id, reader.id);
    expect(wallClock(heldReader.next_step_at!, 'Asia/Tokyo')).toBe(`${two(tokyoHour)}:00`);
    expect(heldReader.optimized_step).toBe(1);

    for (const c of [newcomer, elsewhere]) expect(await enrollment(id, c.id)).toMatchObject({ status: 'active', current_step: 1 });
    await until(() => sendsTo(newcomer.phone).length === 1 && sendsTo(elsewhere.phone).length === 1, 10_000, 'the two sent now');
    expect(sendsTo(writer.phone)).toEqual([]);
    expect(sendsTo(reader.phone)).toEqual([]);
    expect(await s.deps.metrics.registry.getSingleMetricAsString('puente_campaign_sends_total')).toMatch(/result="postponed_send_time_optimization",service="puente"} 2/);

    // When the wait ends the step goes, whatever the hour then: it is held once, never more than a day.
    await models().Enrollment.updateOne({ _id: held._id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    expect(await sender.runCampaign('default', id)).toMatchObject({ queued: 1, postponed: 0 });
    await until(() => sendsTo(writer.phone).length === 1, 10_000, 'the held step sent');
    // The next step is held for the usual hour again.
    const next = await enrollment(id, writer.id);
    expect(next).toMatchObject({ current_step: 1, optimized_step: 1 });
    await models().Enrollment.updateOne({ _id: held._id }, { $set: { next_step_at: new Date(Date.now() - 1_000) } });
    expect(await sender.runCampaign('default', id)).toMatchObject({ queued: 0, postponed: 1 });
    const again = await enrollment(id, writer.id);
    expect(again).toMatchObject({ current_step: 1, optimized_step: 2 });
    expect(wallClock(again.next_step_at!, 'America/Bogota')).toBe(`${two(bogotaHour)}:00`);
  }, 40_000);

  it('keeps a step’s explicit send_time, and does nothing when the setting is off', async () => {
    const bogotaHour = (localHour(new Date(), 'America/Bogota') + 6) % 24;
    const sendTime = `${two((bogotaHour + 9) % 24)}:30`;
    const timed = await s.contact();
    const plain = await s.contact();
    for (const c of [timed, plain]) await history(c.phone, { hour: bogotaHour, zone: 'America/Bogota', days: 5, kind: 'inbound' });

    const withTime = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'], send_time: sendTime }], contactIds: [timed.id], settings: { send_time_optimization: true } });
    const aggregate = vi.spyOn(s.deps.conversations.log.model, 'aggregate');
    await sender.runCampaign('default', withTime);
    const e = await enrollment(withTime, timed.id);
    expect(wallClock(e.next_step_at!, 'America/Bogota')).toBe(sendTime);
    expect(e.optimized_step).toBeUndefined();

    const off = await s.campaign({ steps: [{ template_name: 'promo', template_parameters: ['x'] }], contactIds: [plain.id] });
    expect(await sender.runCampaign('default', off)).toMatchObject({ queued: 1, postponed: 0 });
    // Neither campaign needed the log.
    expect(aggregate).not.toHaveBeenCalled();
    aggregate.mockRestore();
    await until(() => sendsTo(plain.phone).length === 1, 10_000, 'sent at once');
  }, 30_000);
});
