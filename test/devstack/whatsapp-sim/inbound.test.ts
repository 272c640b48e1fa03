/**
 * What a simulated phone sends: Meta's inbound payload for text, taps, media placeholders and a
 * location. A tap's type (button_reply, list_reply or a template quick reply) and its `context`
 * come from the business message that showed the option, never from the caller.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnknownOptionError, type SimMessage, type WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';
import { fixtureJson } from '../../helpers/fixtures.js';
import { DISPLAY_NUMBER, PHONE_NUMBER_ID, USER, WABA_ID, createSim, graphSend, startReceiver, type WebhookReceiver } from './support.js';

let receiver: WebhookReceiver;
let sim: WhatsAppSimulator;

beforeEach(async () => {
  receiver = await startReceiver();
  sim = createSim(receiver);
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

type Item = Record<string, unknown> & { context?: { from: string; id: string }; interactive?: Record<string, unknown> };
const lastPosted = () => {
  const value = receiver.deliveries.at(-1)!.json.entry[0]!.changes[0]!.value;
  return { value, item: (value['messages'] as Item[])[0]! };
};
/** Sends a fixture body (the buttons or the list) and returns its wamid. */
const show = async (fixture: string): Promise<string> => (await graphSend(sim, fixtureJson(fixture))).json.messages![0]!.id;

describe('text', () => {
  it("posts Meta's text webhook: WABA id, metadata, the sender's profile and wa_id, from/id/timestamp/type/text", async () => {
    const before = Math.floor(Date.now() / 1000);
    const message = await sim.userSends(USER, { kind: 'text', text: 'hola 🙂' }, 'Valentina Ocampo');
    const delivery = receiver.deliveries[0]!.json;
    expect(delivery).toEqual({
      object: 'whatsapp_business_account',
      entry: [{ id: WABA_ID, changes: [{ field: 'messages', value: expect.anything() as unknown }] }],
    });
    const { value, item } = lastPosted();
    expect(value['messaging_product']).toBe('whatsapp');
    expect(value['metadata']).toEqual({ display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID });
    expect(value['contacts']).toEqual([{ profile: { name: 'Valentina Ocampo' }, wa_id: USER }]);
    expect(item).toEqual({ from: USER, id: message.wamid, timestamp: expect.stringMatching(/^\d{10}$/) as unknown, type: 'text', text: { body: 'hola 🙂' } });
    expect(Number(item['timestamp'])).toBeGreaterThanOrEqual(before);
    expect(message).toMatchObject({ waId: USER, direction: 'in', type: 'text', status: 'received', body: item });
  });

  it("gives user messages Meta's inbound wamid shape: the wa_id and 32 hex digits", async () => {
    const { wamid } = await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const decoded = Buffer.from(wamid.slice('wamid.'.length), 'base64');
    expect(decoded.subarray(3, 3 + USER.length).toString('ascii')).toBe(USER);
    expect(decoded[3 + USER.length + 3]).toBe(0x12);
    expect(decoded.subarray(-33, -1).toString('ascii')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('keeps the profile name given last and lists users; the chat holds both directions oldest first', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' }, 'Vale');
    await graphSend(sim, fixtureJson('send-text-request.json'));
    await sim.userSends(USER, { kind: 'text', text: 'gracias' }, 'Valentina');
    await sim.userSends('573207731458', { kind: 'text', text: 'buenas' });
    expect(sim.users()).toEqual([{ waId: USER, profileName: 'Valentina' }, { waId: '573207731458', profileName: 'Usuario 1458' }]);
    expect(sim.conversation(USER).map((m: SimMessage) => m.direction)).toEqual(['in', 'out', 'in']);
  });

  it('refuses a malformed wa_id or an empty text without posting anything', async () => {
    await expect(sim.userSends('+57300', { kind: 'text', text: 'hola' })).rejects.toThrow(TypeError);
    await expect(sim.userSends(USER, { kind: 'text', text: '  ' })).rejects.toThrow(TypeError);
    expect(receiver.deliveries).toHaveLength(0);
  });
});

describe('taps', () => {
  it('a tap on a reply button is interactive.button_reply with the title shown and context = the buttons message', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const buttons = await show('send-interactive-buttons-request.json');
    await sim.userSends(USER, { kind: 'reply', id: 'v1:confirm.no', title: 'No, sigue igual' });
    const { item } = lastPosted();
    expect(item['context']).toEqual({ from: DISPLAY_NUMBER, id: buttons });
    expect(item['type']).toBe('interactive');
    expect(item.interactive).toEqual({ type: 'button_reply', button_reply: { id: 'v1:confirm.no', title: 'No, sigue igual' } });
    expect(Object.keys(item)[0]).toBe('context');
  });

  it('a tap on a list row is interactive.list_reply with the row title and description, context = the list message', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const listWamid = await show('send-interactive-list-request.json');
    await sim.userSends(USER, { kind: 'reply', id: 'v1:plan.hogar-600', title: 'whatever the caller says' });
    const { item } = lastPosted();
    expect(item['context']).toEqual({ from: DISPLAY_NUMBER, id: listWamid });
    expect(item.interactive).toEqual({ type: 'list_reply', list_reply: { id: 'v1:plan.hogar-600', title: 'Hogar 600 Mbps', description: '$109.900 al mes – incluye repetidor wifi' } });
  });

  it('the same id shown as a button and later as a row is answered from the newest message that shows it', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const buttons = { messaging_product: 'whatsapp', to: USER, type: 'interactive', interactive: { type: 'button', body: { text: '¿?' }, action: { buttons: [{ type: 'reply', reply: { id: 'menu', title: 'Menú' } }] } } };
    const list = { messaging_product: 'whatsapp', to: USER, type: 'interactive', interactive: { type: 'list', body: { text: '¿?' }, action: { button: 'Ver', sections: [{ rows: [{ id: 'menu', title: 'Menú principal' }] }] } } };
    await graphSend(sim, buttons);
    const listWamid = (await graphSend(sim, list)).json.messages![0]!.id;
    await sim.userSends(USER, { kind: 'reply', id: 'menu', title: 'Menú' });
    expect(lastPosted().item['context']).toEqual({ from: DISPLAY_NUMBER, id: listWamid });
    expect(lastPosted().item.interactive?.['type']).toBe('list_reply');
  });

  it("a tap on a template's quick-reply button is type button with payload and text", async () => {
    const template = await show('send-template-request.json');
    await sim.userSends(USER, { kind: 'reply', id: 'menu.account', title: 'Ver mi factura' });
    const { item } = lastPosted();
    expect(item['context']).toEqual({ from: DISPLAY_NUMBER, id: template });
    expect(item['type']).toBe('button');
    expect(item['button']).toEqual({ payload: 'menu.account', text: 'Ver mi factura' });
  });

  it('refuses a tap on an option no business message showed, and posts nothing', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    await expect(sim.userSends(USER, { kind: 'reply', id: 'v1:nope', title: 'Nope' })).rejects.toThrow(UnknownOptionError);
    expect(receiver.deliveries).toHaveLength(1);
    expect(sim.conversation(USER)).toHaveLength(1);
  });
});

describe('media placeholders and location', () => {
  it('an image is image{mime_type, sha256 (base64), id (numeric)}', async () => {
    await sim.userSends(USER, { kind: 'image' });
    const { item } = lastPosted();
    expect(item['type']).toBe('image');
    expect(item['image']).toEqual({ mime_type: 'image/jpeg', sha256: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) as unknown, id: expect.stringMatching(/^\d{16}$/) as unknown });
  });

  it('a document carries its filename and a PDF mime type', async () => {
    await sim.userSends(USER, { kind: 'document' });
    expect(lastPosted().item['document']).toMatchObject({ filename: 'documento.pdf', mime_type: 'application/pdf', id: expect.stringMatching(/^\d+$/) as unknown });
  });

  it('audio is a voice note: audio/ogg with opus, voice: true', async () => {
    await sim.userSends(USER, { kind: 'audio' });
    expect(lastPosted().item['audio']).toMatchObject({ mime_type: 'audio/ogg; codecs=opus', voice: true });
  });

  it('a location has numeric latitude/longitude plus name and address', async () => {
    await sim.userSends(USER, { kind: 'location' });
    const location = lastPosted().item['location'] as Record<string, unknown>;
    expect(typeof location['latitude']).toBe('number');
    expect(typeof location['longitude']).toBe('number');
    expect(location).toMatchObject({ name: expect.any(String) as unknown, address: expect.any(String) as unknown });
  });

  it("emits 'message' for inbound and outbound messages as they happen", async () => {
    const messages: SimMessage[] = [];
    sim.events.on('message', (m: SimMessage) => messages.push(m));
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    await graphSend(sim, fixtureJson('send-text-request.json'));
    expect(messages.map((m) => [m.direction, m.type, m.status])).toEqual([['in', 'text', 'received'], ['out', 'text', 'sent']]);
  });
});
