/**
 * Opting out by keyword (seed 003, Compliance), through the real webhook, lanes, inbound turn, bot
 * and outbound path: each rule of docs/campaigns.md "Opt-outs" has a test that fails without it.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignMessageRef } from '../../../src/campaigns/campaign-messages.js';
import { createOptOut, foldKeyword, isOptOutPhrase, OPT_OUT_CONFIRMATION, OPT_OUT_SOURCE, OPT_OUT_WINDOW_MS } from '../../../src/campaigns/opt-out.js';
import type { InboundLaneItem } from '../../../src/conversations/lane-items.js';
import { createContactStores } from '../../../src/contacts/store.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import type { EventRecorder } from '../../../src/platform/events/outbox.js';
import type { PuenteEvent } from '../../../src/platform/events/types.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { normalizeWebhook } from '../../../src/whatsapp/normalize.js';
import type { InboundEvent } from '../../../src/whatsapp/webhook-events.js';
import { waitFor } from '../../helpers/redis.js';
import { recordCrm, userWithOpenTicket } from '../../e2e/support/handover.js';
import { recordGraph, textOf } from '../../helpers/transcript.js';
import { textWebhook } from '../../helpers/road.js';
import { campaignFixture, freshUser, NUMBER, seconds, useReceiving, type Json, type Receiving } from './receiving-harness.js';

const at = (unixSeconds: number) => new Date(unixSeconds * 1000);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A contact with step 1 of a campaign sent `hoursAgo` ago, and enrolled (pending) in a second campaign. */
async function recipient(r: Receiving, hoursAgo = 3) {
  const waId = freshUser();
  const contact = await r.contact(waId);
  const campaignId = await r.campaign();
  const other = await r.campaign({ name: 'Referidos' });
  const [enrollmentId] = await r.enroll(campaignId, [contact]);
  const [otherEnrollmentId] = await r.enroll(other, [contact]);
  const t0 = seconds(new Date()) - Math.round(hoursAgo * 3600);
  const wamid = `wamid.CMP${waId}S1`;
  await r.logSend({ waId, campaignId, enrollmentId: enrollmentId!, step: 1, wamid, at: at(t0) });
  return { waId, contact, campaignId, other, enrollmentId: enrollmentId!, otherEnrollmentId: otherEnrollmentId!, t0, wamid };
}

const toUser = (r: Receiving, waId: string) => r.sent.filter((m) => m.to === waId);
const contactOf = async (r: Receiving, id: string) => (await (await r.call(`/api/v1/contacts/${id}`)).json()) as Json;

describe('opt-out keywords', () => {
  it('the whole message, folded: accents, case, punctuation and emoji do not matter; a sentence around the word does', () => {
    for (const yes of ['BAJA', 'baja.', ' Baja ', 'STOP', 'Stop!', '¡No más mensajes!', 'no mas mensajes', 'No me escriban más 🙏', 'Cancelar suscripción', 'darme de baja', 'Detener promociones', 'unsubscribe']) expect(isOptOutPhrase(yes), yes).toBe(true);
    for (const no of ['cancelar', 'no más', 'salir', 'quiero dar de baja mi plan de internet', 'stop, ¿cuánto vale el plan?', 'hola', '', 'bajar la velocidad']) expect(isOptOutPhrase(no), no).toBe(false);
    expect(foldKeyword('¡NO MÁS MENSAJES!!')).toBe('no mas mensajes');
  });

});

describe('opting out by replying to a campaign message', () => {
  const rec = useReceiving();

  it('with an agent’s ticket open only a quoted campaign message counts; an unquoted word is the agent’s', async () => {
    const r = rec();
    const ref: CampaignMessageRef = { wamid: 'wamid.cmp', waId: '573100000001', phoneNumberId: NUMBER, campaignId: 'cmp_1', enrollmentId: 'enr_1', step: 1, at: new Date() };
    const optOut = createOptOut({ connection: r.road.deps.mongo.connection, messages: { byWamid: async (w) => (w === ref.wamid ? ref : null), lastSentBefore: async () => ref }, contacts: { update: async () => null }, logger: createLogger({ level: 'silent' }) });
    const event = (context?: string): InboundEvent => ({ type: 'text', text: 'BAJA', wamid: 'wamid.in', phoneNumberId: NUMBER, displayPhoneNumber: '573186004400', waId: ref.waId, timestamp: seconds(new Date()), ...(context ? { context: { id: context } } : {}) });
    expect(await optOut.answers(event(), 'lane', true)).toBeNull();
    expect(await optOut.answers(event(), 'lane', false)).toEqual(ref);
    expect(await optOut.answers(event(ref.wamid), 'lane', true)).toEqual(ref);
    // A quoted message that is not a campaign message, or another user's, is not an opt-out.
    expect(await optOut.answers(event('wamid.bot-menu'), 'lane', false)).toBeNull();
    expect(await optOut.answers({ ...event(ref.wamid), waId: '573100000002' }, 'lane', false)).toBeNull();
  });

  it('BAJA quoting a campaign message: consent opted_out (whatsapp_keyword), every running enrollment ends, one Spanish confirmation, no bot answer', async () => {
    const r = rec();
    const s = await recipient(r);
    // An enrollment that had ended already stays as it was.
    const done = await r.campaign({ name: 'Bienvenida' });
    const [doneEnrollment] = await r.enroll(done, [s.contact]);
    await r.road.deps.mongo.connection.collection('campaign_enrollments').updateOne({ _id: doneEnrollment as never }, { $set: { status: 'completed', exit_reason: 'completed', completed_at: new Date() } });

    await r.post(campaignFixture('inbound-opt-out-baja.json', s));
    await waitFor(async () => (await r.enrollment(s.otherEnrollmentId)).status === 'unsubscribed', 10_000, 'the other campaign’s enrollment ended');
    const optedOutAt = at(s.t0 + 7300);
    for (const id of [s.enrollmentId, s.otherEnrollmentId]) expect(await r.enrollment(id)).toMatchObject({ status: 'unsubscribed', exit_reason: 'opted_out', unsubscribed_at: optedOutAt });
    expect(await r.enrollment(doneEnrollment!)).toMatchObject({ status: 'completed', exit_reason: 'completed' });
    expect((await r.enrollment(doneEnrollment!)).unsubscribed_at).toBeUndefined();

    const contact = await contactOf(r, s.contact);
    expect(contact).toMatchObject({ opt_in_status: 'opted_out', opt_in_source: OPT_OUT_SOURCE });
    expect((contact.consent_history as Json[]).at(-1)).toMatchObject({ from: 'opted_in', to: 'opted_out', source: 'whatsapp_keyword', at: optedOutAt.toISOString() });

    await waitFor(() => toUser(r, s.waId).length > 0, 10_000, 'the confirmation');
    await pause(500); // anything else the turn would have sent (the bot's menu) has left by now
    expect(toUser(r, s.waId)).toEqual([expect.objectContaining({ type: 'text', text: expect.objectContaining({ body: OPT_OUT_CONFIRMATION }) })]);

    const acts = (await (await r.call(`/api/v1/campaigns/${s.other}/activities?type=contact_unsubscribed`)).json()) as Json;
    expect(acts).toMatchObject({ total: 1, data: [{ type: 'contact_unsubscribed', contact_id: s.contact, detail: 'opted_out' }] });
    // An opt-out is an exit, not a reply.
    expect((await r.enrollment(s.enrollmentId)).replied_at).toBeUndefined();
  });

  it('the opt-out goes through the contact store’s consent path: contact.unsubscribed (source whatsapp_keyword) in the same write, once', async () => {
    const r = rec();
    const s = await recipient(r);
    const conn = r.road.deps.mongo.connection;
    const recorder: EventRecorder = { wanted: async (_org, types) => new Set(types), flush: () => undefined };
    const { contacts } = createContactStores(conn, recorder);
    const optOut = createOptOut({ connection: conn, messages: { byWamid: async () => null, lastSentBefore: async () => null }, contacts, logger: createLogger({ level: 'silent' }) });
    const when = new Date(Date.now() - 60_000);
    expect(await optOut.unsubscribe('default', s.contact, when)).toBe(2);
    expect(await optOut.unsubscribe('default', s.contact, when)).toBe(0);
    const doc = await conn.collection('contacts').findOne({ _id: s.contact as never });
    const events = ((doc!._outbox ?? []) as PuenteEvent[]).filter((e) => e.type === 'contact.unsubscribed');
    expect(events.map((e) => e.data)).toEqual([{ contact_id: s.contact, source: 'whatsapp_keyword', at: when.toISOString() }]);
    expect(EVENT_DATA['contact.unsubscribed'].safeParse(events[0]!.data).success).toBe(true);
  });

  it('the template’s “Detener promociones” quick-reply button opts out the same way', async () => {
    const r = rec();
    const s = await recipient(r);
    await r.post(campaignFixture('inbound-opt-out-button.json', s));
    await waitFor(async () => (await r.enrollment(s.enrollmentId)).status === 'unsubscribed', 10_000, 'opted out');
    expect((await contactOf(r, s.contact)).opt_in_status).toBe('opted_out');
    await waitFor(() => toUser(r, s.waId).length === 1, 10_000, 'the confirmation');
    expect(toUser(r, s.waId)[0]!.text!.body).toBe(OPT_OUT_CONFIRMATION);
  });

  it('Meta delivering the webhook twice (even at once): one opt-out, one confirmation', async () => {
    const r = rec();
    const s = await recipient(r);
    const body = campaignFixture('inbound-opt-out-baja.json', s);
    await Promise.all([r.post(body), r.post(body)]);
    await r.post(body);
    await waitFor(() => toUser(r, s.waId).length > 0, 10_000, 'the confirmation');
    await pause(500);
    expect(toUser(r, s.waId)).toHaveLength(1);
    const history = (await contactOf(r, s.contact)).consent_history as Json[];
    expect(history.filter((c) => c.to === 'opted_out')).toHaveLength(1);
  });

  it('the turn run again after a crash (same lane item) decides the same and confirms once; the bot stays silent', async () => {
    const r = rec();
    const s = await recipient(r);
    const body = campaignFixture('inbound-opt-out-baja.json', s);
    await r.post(body);
    await waitFor(() => toUser(r, s.waId).length === 1, 10_000, 'the confirmation');
    const [event] = normalizeWebhook(JSON.parse(body) as never).events;
    const item: InboundLaneItem = { id: event!.wamid, kind: 'inbound', event: event!, receivedAt: Date.now() };
    await r.road.deps.laneHandler(item, { lane: `${NUMBER}:${s.waId}`, jobId: 'rerun', attempt: 2, claim: 'rerun', logger: createLogger({ level: 'silent' }) });
    await pause(500);
    expect(toUser(r, s.waId)).toHaveLength(1);
    expect(((await contactOf(r, s.contact)).consent_history as Json[]).filter((c) => c.to === 'opted_out')).toHaveLength(1);
  });

  it('an unquoted “baja” answers the campaign when its message was the last one sent, within 7 days; not after', async () => {
    const r = rec();
    const recent = await recipient(r, 48);
    const old = await recipient(r, OPT_OUT_WINDOW_MS / 3_600_000 + 2);
    const now = seconds(new Date());
    await r.post(textWebhook(recent.waId, `wamid.IN${recent.waId}`, 'baja', now));
    await r.post(textWebhook(old.waId, `wamid.IN${old.waId}`, 'baja', now));
    await waitFor(async () => (await r.enrollment(recent.enrollmentId)).status === 'unsubscribed', 10_000, 'the recent one opted out');
    await waitFor(() => toUser(r, old.waId).length > 0, 10_000, 'the bot answering the old one');
    await pause(300);
    expect((await r.enrollment(old.enrollmentId)).status).toBe('pending');
    expect((await contactOf(r, old.contact)).opt_in_status).toBe('opted_in');
    expect(toUser(r, old.waId).some((m) => m.text?.body === OPT_OUT_CONFIRMATION)).toBe(false);
  });

  it('“stop” typed to the bot (its menu was the last message sent) is the bot’s: it answers, nobody is opted out', async () => {
    const r = rec();
    const s = await recipient(r, 2);
    await r.post(textWebhook(s.waId, `wamid.HI${s.waId}`, 'hola', seconds(new Date()) - 60));
    await waitFor(() => toUser(r, s.waId).length === 1, 10_000, 'the bot’s menu');
    // The menu is logged with its wamid once Graph accepts it.
    await waitFor(async () => (await r.road.deps.conversations.log.model.countDocuments({ waId: s.waId, author: 'bot', wamid: { $type: 'string' } })) === 1, 10_000, 'the menu accepted');
    await pause(1_100); // the user reads the menu: Meta's timestamp (whole seconds) is after it was sent
    await r.post(textWebhook(s.waId, `wamid.STOP${s.waId}`, 'stop', seconds(new Date())));
    await waitFor(() => toUser(r, s.waId).length === 2, 10_000, 'the bot’s answer to “stop”');
    await pause(300);
    expect(toUser(r, s.waId).some((m) => m.text?.body === OPT_OUT_CONFIRMATION)).toBe(false);
    expect((await r.enrollment(s.enrollmentId)).status).toBe('pending');
    expect((await contactOf(r, s.contact)).opt_in_status).toBe('opted_in');
  });

  it('“STOP” from a user no campaign ever wrote to is the bot’s', async () => {
    const r = rec();
    const waId = freshUser();
    await r.post(textWebhook(waId, `wamid.STOP${waId}`, 'STOP', seconds(new Date())));
    await waitFor(() => toUser(r, waId).length > 0, 10_000, 'the bot’s answer');
    await pause(300);
    expect(toUser(r, waId).some((m) => m.text?.body === OPT_OUT_CONFIRMATION)).toBe(false);
  });
});

describe('opting out while an agent has the conversation', () => {
  const rec = useReceiving({}, { graph: false });

  it('an unquoted “baja” goes to the agent; “BAJA” quoting the campaign message opts out, confirms, and the agent still gets it', async () => {
    const r = rec();
    const crm = recordCrm();
    const graph = recordGraph();
    const s = await recipient(r, 2);
    const { ticket } = await userWithOpenTicket(r.road, s.waId, false, graph);
    const before = graph.to(s.waId).length;

    await r.post(textWebhook(s.waId, `wamid.UNQ${s.waId}`, 'baja', seconds(new Date())));
    await waitFor(() => crm.at('/api/bot/user-message').some((c) => c.body.text === 'baja'), 10_000, 'the unquoted word at the CRM');
    await pause(300);
    expect((await r.enrollment(s.enrollmentId)).status).toBe('pending');
    expect((await contactOf(r, s.contact)).opt_in_status).toBe('opted_in');
    expect(graph.to(s.waId).slice(before).map(textOf)).not.toContain(OPT_OUT_CONFIRMATION);

    await r.post(campaignFixture('inbound-opt-out-baja.json', { ...s, t0: seconds(new Date()) - 7300 }));
    await waitFor(async () => (await r.enrollment(s.enrollmentId)).status === 'unsubscribed', 10_000, 'opted out');
    await waitFor(() => crm.at('/api/bot/user-message').some((c) => c.body.text === 'BAJA'), 10_000, 'the quoted BAJA at the CRM too');
    expect(crm.at('/api/bot/user-message').find((c) => c.body.text === 'BAJA')!.body).toMatchObject({ ticketId: ticket.ticketId });
    await waitFor(() => graph.to(s.waId).slice(before).some((m) => textOf(m) === OPT_OUT_CONFIRMATION), 10_000, 'the confirmation');
    expect(graph.to(s.waId).slice(before).map(textOf)).toEqual([OPT_OUT_CONFIRMATION]);
    expect((await r.road.deps.bridge.tickets.findOpen(`${NUMBER}:${s.waId}`))?.ticketId).toBe(ticket.ticketId);
  });
});
