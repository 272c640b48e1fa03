import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceWindowClosedError, type OutboundItem } from '../../../src/conversations/outbound.js';
import { messageModel } from '../../../src/conversations/message-log.js';
import { windowKey } from '../../../src/conversations/service-window.js';
import { templateMessage, textMessage } from '../../../src/whatsapp/messages.js';
import { fixtureJson } from '../../helpers/fixtures.js';
import { testEnv } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';
import { startRoad, type Road } from '../../helpers/road.js';

const GRAPH = 'https://graph.test';
const PATH = `/v25.0/${testEnv.WHATSAPP_PHONE_NUMBER_ID}/messages`;
const PHONE_ID = testEnv.WHATSAPP_PHONE_NUMBER_ID;
let seq = 0;

function item(to: string, text: string, extra: Partial<OutboundItem> = {}): OutboundItem {
  return { id: `test-${Date.now()}-${++seq}`, phoneNumberId: PHONE_ID, to, author: 'agent', createdAt: Date.now(), payload: { kind: 'message', message: textMessage(to, text), freeForm: true }, ...extra };
}

const ok = (to: string) => ({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.ok-${Date.now()}-${++seq}` }] });

describe('outbound sends', () => {
  let road: Road;
  const openWindow = (to: string) => road.deps.redis.set(windowKey(road.deps.keyPrefix, `${PHONE_ID}:${to}`), String(Math.floor(Date.now() / 1000)));
  const logOf = (id: string) => messageModel(road.deps.mongo.connection).findOne({ outboundId: id }).lean();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    road = await startRoad({ WHATSAPP_MAX_MPS: '10' });
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    await road.stop();
    nock.enableNetConnect();
  });

  it('paces sends per business number: 11 sends to 11 users take at least 1 s at 10 mps', async () => {
    const users = Array.from({ length: 11 }, (_, i) => `5733000000${String(i).padStart(2, '0')}`);
    await Promise.all(users.map(openWindow));
    const times: number[] = [];
    nock(GRAPH).post(PATH).times(11).reply(200, (_u, body) => {
      times.push(Date.now());
      return ok((body as { to: string }).to);
    });
    await road.deps.conversations.outbound.enqueue(users.map((u) => item(u, 'hola')));
    await waitFor(() => times.length === 11, 10_000);
    times.sort((a, b) => a - b);
    expect(times[10]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it("coalesces a conversation's read receipts: one for the newest message behind the one on its way", async () => {
    const [a, b] = ['573300000300', '573300000301'];
    const receipt = (to: string, wamid: string): OutboundItem => ({
      id: `${wamid}.read`, phoneNumberId: PHONE_ID, to, author: 'bot', createdAt: Date.now(), payload: { kind: 'mark_read', wamid, typing: false },
    });
    const marked: { to: string; wamid: string }[] = [];
    const owner = new Map([['wamid.rc-a', a], ['wamid.rc-a2', a], ['wamid.rc-a3', a], ['wamid.rc-a4', a], ['wamid.rc-a5', a], ['wamid.rc-b', b]]);
    nock(GRAPH).post(PATH).times(10).delay(300).reply(200, (_u, body) => {
      const wamid = (body as { message_id: string }).message_id;
      marked.push({ to: owner.get(wamid) ?? '?', wamid });
      return { success: true };
    });
    const { outbound } = road.deps.conversations;
    await outbound.enqueue([receipt(a, 'wamid.rc-a')]);
    // Graph is answering the first one (300 ms); three more arrive, and another user's.
    await new Promise((r) => setTimeout(r, 100));
    for (const w of ['wamid.rc-a2', 'wamid.rc-a3', 'wamid.rc-a4']) await outbound.enqueue([receipt(a, w)]);
    await outbound.enqueue([receipt(b, 'wamid.rc-b')]);
    await waitFor(() => marked.some((m) => m.wamid === 'wamid.rc-a4') && marked.some((m) => m.to === b), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(marked.filter((m) => m.to === a).map((m) => m.wamid)).toEqual(['wamid.rc-a', 'wamid.rc-a4']);
    expect(marked.filter((m) => m.to === b).map((m) => m.wamid)).toEqual(['wamid.rc-b']);
    // Once nothing is on its way, the next message's receipt goes at once.
    await outbound.enqueue([receipt(a, 'wamid.rc-a5')]);
    await waitFor(() => marked.some((m) => m.wamid === 'wamid.rc-a5'), 5_000);
    expect(marked.filter((m) => m.to === a)).toHaveLength(3);
  });

  it("sends one user's messages in order, each after Meta answered the previous one", async () => {
    const to = '573300000100';
    await openWindow(to);
    const seen: { text: string; at: number }[] = [];
    nock(GRAPH).post(PATH).times(4).delay(150).reply(200, (_u, body) => {
      seen.push({ text: (body as { text: { body: string } }).text.body, at: Date.now() });
      return ok(to);
    });
    await road.deps.conversations.outbound.enqueue(['uno', 'dos', 'tres', 'cuatro'].map((t) => item(to, t)));
    await waitFor(() => seen.length === 4, 10_000);
    expect(seen.map((s) => s.text)).toEqual(['uno', 'dos', 'tres', 'cuatro']);
    for (let i = 1; i < 4; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(140);
  });

  it.each([130429, 131000, 131016, 4, 80007])('backs off and retries after error %i, keeping the order', async (code) => {
    const to = `5733002${String(code).padStart(5, '0').slice(-5)}`;
    await openWindow(to);
    const seen: string[] = [];
    nock(GRAPH).post(PATH).once().reply(400, { error: { message: 'x', type: 'OAuthException', code } });
    nock(GRAPH).post(PATH).times(2).reply(200, (_u, body) => {
      seen.push((body as { text: { body: string } }).text.body);
      return ok(to);
    });
    const first = item(to, 'primero');
    await road.deps.conversations.outbound.enqueue([first, item(to, 'segundo')]);
    await waitFor(() => seen.length === 2, 10_000);
    expect(seen).toEqual(['primero', 'segundo']);
    await waitFor(async () => (await logOf(first.id))?.status === 'accepted');
  });

  it.each([
    [131026, 'error-131047-response.json'],
    [131047, 'error-131047-response.json'],
    [131051, undefined],
    [132000, undefined],
    [368, undefined],
  ])('never retries error %i: marks the message failed and moves on', async (code, fixture) => {
    const to = `5733003${String(code).slice(-5)}`;
    await openWindow(to);
    const body = fixture ? { ...(fixtureJson(fixture) as object), error: { ...(fixtureJson<{ error: object }>(fixture).error), code } } : { error: { message: 'no', type: 'OAuthException', code } };
    const seen: string[] = [];
    nock(GRAPH).post(PATH).once().reply(400, body);
    nock(GRAPH).post(PATH).once().reply(200, (_u, b) => {
      seen.push((b as { text: { body: string } }).text.body);
      return ok(to);
    });
    const doomed = item(to, 'condenado');
    await road.deps.conversations.outbound.enqueue([doomed, item(to, 'siguiente')]);
    await waitFor(() => seen.length === 1, 10_000);
    expect(seen).toEqual(['siguiente']);
    expect(await logOf(doomed.id)).toMatchObject({ status: 'failed', error: { code } });
  });

  it('raises an alert and counts an expired token (190) without retrying', async () => {
    const to = '573300400190';
    await openWindow(to);
    nock(GRAPH).post(PATH).once().reply(401, fixtureJson('error-190-response.json'));
    const doomed = item(to, 'hola');
    await road.deps.conversations.outbound.enqueue([doomed]);
    await waitFor(async () => (await logOf(doomed.id))?.status === 'failed', 10_000);
    const metrics = await road.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/puente_whatsapp_token_errors_total\{[^}]*\} 1/);
    expect(nock.isDone()).toBe(true);
  });

  it('delays only the rate-limited recipient on 131056', async () => {
    const slow = '573300500001';
    const fast = '573300500002';
    await Promise.all([openWindow(slow), openWindow(fast)]);
    const seen: { to: string; at: number }[] = [];
    nock(GRAPH).post(PATH, (b: { to: string }) => b.to === slow).once().reply(400, fixtureJson('error-131056-response.json'));
    nock(GRAPH).post(PATH).times(2).reply(200, (_u, b) => {
      seen.push({ to: (b as { to: string }).to, at: Date.now() });
      return ok((b as { to: string }).to);
    });
    const started = Date.now();
    await road.deps.conversations.outbound.enqueue([item(slow, 'a ti te toca esperar'), item(fast, 'a ti no')]);
    await waitFor(() => seen.length === 2, 10_000);
    const fastAt = seen.find((s) => s.to === fast)!.at - started;
    const slowAt = seen.find((s) => s.to === slow)!.at - started;
    expect(fastAt).toBeLessThan(800);
    expect(slowAt).toBeGreaterThanOrEqual(950);
  });

  it('refuses a free-form message outside the 24-hour window before queueing it, but lets a template through', async () => {
    const to = '573300600001';
    await road.deps.redis.set(windowKey(road.deps.keyPrefix, `${PHONE_ID}:${to}`), String(Math.floor(Date.now() / 1000) - 25 * 3600));
    await expect(road.deps.conversations.outbound.enqueue([item(to, 'hola')])).rejects.toBeInstanceOf(ServiceWindowClosedError);
    const seen: string[] = [];
    nock(GRAPH).post(PATH).once().reply(200, (_u, b) => {
      seen.push((b as { type: string }).type);
      return ok(to);
    });
    const template = item(to, 'plantilla', { payload: { kind: 'message', message: templateMessage(to, { name: 'seguimiento', language: 'es_CO' }), freeForm: false } });
    await road.deps.conversations.outbound.enqueue([template]);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['template']);
  });

  it('does not send a queued free-form message whose window closed while it waited', async () => {
    const to = '573300600002';
    await openWindow(to);
    const key = windowKey(road.deps.keyPrefix, `${PHONE_ID}:${to}`);
    nock(GRAPH).post(PATH).delay(300).once().reply(200, ok(to));
    const first = item(to, 'primero');
    const late = item(to, 'tarde');
    await road.deps.conversations.outbound.enqueue([first, late]);
    await road.deps.redis.set(key, String(Math.floor(Date.now() / 1000) - 25 * 3600));
    await waitFor(async () => (await logOf(late.id))?.status === 'failed', 10_000);
    expect(await logOf(late.id)).toMatchObject({ error: { code: 'CUSTOMER_SERVICE_WINDOW_CLOSED' } });
  });

  it('takes the window of a reply from the message it answers, for that conversation only, and still checks at send time', async () => {
    const to = '573300600003';
    const other = '573300600004';
    const now = Math.floor(Date.now() / 1000);
    const known = { conversationKey: `${PHONE_ID}:${to}`, userWroteAt: now - 60 };
    // Redis knows no message from either user (no window key): only the answered message opens a window.
    await expect(road.deps.conversations.outbound.enqueue([item(other, 'hola')], { window: known })).rejects.toBeInstanceOf(ServiceWindowClosedError);
    await expect(road.deps.conversations.outbound.enqueue([item(to, 'hola')], { window: { ...known, userWroteAt: now - 25 * 3600 } })).rejects.toBeInstanceOf(ServiceWindowClosedError);
    const reply = item(to, 'respuesta');
    await road.deps.conversations.outbound.enqueue([reply, item(to, 'otra')], { window: known });
    expect(await logOf(reply.id)).toMatchObject({ status: expect.stringMatching(/queued|failed/) });
    // The send's own check (begin-send.lua) reads Redis, which here says closed: nothing reaches Graph.
    await waitFor(async () => (await logOf(reply.id))?.status === 'failed', 10_000);
    expect(await logOf(reply.id)).toMatchObject({ error: { code: 'CUSTOMER_SERVICE_WINDOW_CLOSED' } });
  });
});
