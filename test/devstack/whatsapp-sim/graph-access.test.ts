/**
 * Who may send and when: the access token (190), the sender number (100), the 24 h customer
 * service window (131047, templates exempt), mark-as-read of known inbound messages only, and
 * the success answer with a Meta-shaped wamid.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';
import { USER, createSim, graphSend, startReceiver, textSend, type WebhookReceiver } from './support.js';

let receiver: WebhookReceiver;
let sim: WhatsAppSimulator;
let clock = Date.parse('2026-06-06T15:00:00Z');

beforeEach(async () => {
  receiver = await startReceiver();
  clock = Date.parse('2026-06-06T15:00:00Z');
  sim = createSim(receiver, { now: () => clock });
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const HOUR = 60 * 60 * 1000;
/** A template of the simulator's catalog that takes no parameters. */
const template = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'template', template: { name: 'aviso_mantenimiento', language: { code: 'es' } } });

describe('the access token', () => {
  it('answers 401 code 190 without an Authorization header, with no error_data (as Meta)', async () => {
    const { status, json } = await graphSend(sim, textSend(USER), { token: null });
    expect(status).toBe(401);
    expect(json.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(json.error?.error_data).toBeUndefined();
  });

  it('answers 401 code 190 for a bearer token other than WHATSAPP_ACCESS_TOKEN, before looking at the body', async () => {
    const { status, json } = await graphSend(sim, 'not even json', { token: 'expired-token' });
    expect(status).toBe(401);
    expect(json.error?.code).toBe(190);
    expect(json.error?.message).toMatch(/Invalid OAuth access token/);
  });
});

describe('the sender number and path', () => {
  it('answers 400 code 100 (subcode 33) for a phone number id that is not the business number', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const { status, json } = await graphSend(sim, textSend(USER), { phoneNumberId: '999999999999999' });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect(json.error?.message).toMatch(/Object with ID '999999999999999' does not exist/);
  });

  it('answers 400 code 100 for a path version that is not vN.N', async () => {
    const { status, json } = await graphSend(sim, textSend(USER), { version: 'latest' });
    expect(status).toBe(400);
    expect(json.error?.code).toBe(100);
  });
});

describe('the 24 h customer service window', () => {
  it('refuses a free-form message to a user who never wrote with 131047 "Re-engagement message"', async () => {
    const { status, json } = await graphSend(sim, textSend('573009998877'));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 131047, message: '(#131047) Re-engagement message' });
    expect(json.error?.error_data?.details).toMatch(/more than 24 hours/);
  });

  it('accepts free-form messages until 24 h after the user last wrote, then refuses them with 131047', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    clock += 23 * HOUR + 59 * 60 * 1000;
    expect((await graphSend(sim, textSend(USER))).status).toBe(200);
    clock += 2 * 60 * 1000;
    expect((await graphSend(sim, textSend(USER))).json.error?.code).toBe(131047);
  });

  it('lets the user reopen the window by writing again; business messages do not reopen it', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    clock += 20 * HOUR;
    expect((await graphSend(sim, textSend(USER))).status).toBe(200);
    clock += 5 * HOUR;
    expect((await graphSend(sim, textSend(USER))).json.error?.code).toBe(131047);
    await sim.userSends(USER, { kind: 'text', text: 'sigo aquí' });
    expect((await graphSend(sim, textSend(USER))).status).toBe(200);
  });

  it('accepts a template outside the window, answering message_status "accepted"', async () => {
    const { status, json } = await graphSend(sim, template('573009998877'));
    expect(status).toBe(200);
    expect(json.messages?.[0]?.message_status).toBe('accepted');
  });
});

describe('mark as read', () => {
  it('answers { success: true } for a message the user sent, with or without the typing indicator', async () => {
    const inbound = await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const plain = await graphSend(sim, { messaging_product: 'whatsapp', status: 'read', message_id: inbound.wamid });
    const typing = await graphSend(sim, { messaging_product: 'whatsapp', status: 'read', message_id: inbound.wamid, typing_indicator: { type: 'text' } });
    expect([plain.status, plain.json]).toEqual([200, { success: true }]);
    expect([typing.status, typing.json]).toEqual([200, { success: true }]);
  });

  it('refuses with 400 code 100 a wamid the number never received (unknown, or one of its own messages)', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const sent = await graphSend(sim, textSend(USER));
    const own = sent.json.messages?.[0]?.id;
    for (const messageId of ['wamid.unknown', own]) {
      const { status, json } = await graphSend(sim, { messaging_product: 'whatsapp', status: 'read', message_id: messageId });
      expect(status).toBe(400);
      expect(json.error?.code).toBe(100);
    }
  });

  it('refuses a status other than read, and a typing indicator of another type, with 100', async () => {
    const inbound = await sim.userSends(USER, { kind: 'text', text: 'hola' });
    expect((await graphSend(sim, { messaging_product: 'whatsapp', status: 'delivered', message_id: inbound.wamid })).json.error?.code).toBe(100);
    expect((await graphSend(sim, { messaging_product: 'whatsapp', status: 'read', message_id: inbound.wamid, typing_indicator: { type: 'audio' } })).json.error?.code).toBe(100);
  });
});

describe('an accepted send', () => {
  it("answers Meta's success body: messaging_product, contacts[{input, wa_id}], messages[{id}]", async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const { status, json } = await graphSend(sim, textSend(USER));
    expect(status).toBe(200);
    expect(json).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: USER, wa_id: USER }], messages: [{ id: expect.any(String) as unknown as string }] });
  });

  it("gives wamids shaped like Meta's business-sent ids: base64 holding the wa_id and 18 hex digits, ending in AA==, all distinct", async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const id = (await graphSend(sim, textSend(USER, `mensaje ${i}`))).json.messages?.[0]?.id ?? '';
      expect(id).toMatch(/^wamid\.[A-Za-z0-9+/]+AA==$/);
      const decoded = Buffer.from(id.slice('wamid.'.length), 'base64');
      expect(decoded.subarray(0, 3)).toEqual(Buffer.from([0x1c, 0x18, USER.length]));
      expect(decoded.subarray(3, 3 + USER.length).toString('ascii')).toBe(USER);
      expect(decoded.subarray(-19, -1).toString('ascii')).toMatch(/^[0-9A-F]{18}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(20);
  });

  it('keeps the send body as received in the chat, as an outbound message of its type', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const body = textSend(USER, '¡Hola! 👋', { biz_opaque_callback_data: 'turn-1' });
    const wamid = (await graphSend(sim, body)).json.messages?.[0]?.id;
    const last = sim.conversation(USER).at(-1);
    expect(last).toMatchObject({ wamid, waId: USER, direction: 'out', type: 'text', body, status: 'sent' });
    expect(sim.users()).toEqual([{ waId: USER, profileName: 'Usuario 6019' }]);
  });
});

describe('listening', () => {
  it('serves the Graph surface over real HTTP on loopback, and close() stops it', async () => {
    const base = await sim.listen();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const response = await fetch(`${base}/v25.0/118724605391736/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-test-access-token', 'content-type': 'application/json' },
      body: JSON.stringify(textSend(USER)),
    });
    expect(response.status).toBe(200);
    await sim.close();
    await expect(fetch(`${base}/v25.0/118724605391736/messages`, { method: 'POST' })).rejects.toThrow();
  });
});
