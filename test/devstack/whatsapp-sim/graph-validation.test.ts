/**
 * The simulator's Graph surface refuses what Meta refuses, with Meta's codes: 100 for missing,
 * mistyped or unknown fields, 131009 for values that break a rule (lengths in code points, counts,
 * uniqueness, https links), 131008 for an empty template parameter — and accepts the repo's
 * Meta-shaped send fixtures as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';
import { fixtureJson } from '../../helpers/fixtures.js';
import { USER, createSim, graphSend, startReceiver, textSend, type WebhookReceiver } from './support.js';

let receiver: WebhookReceiver;
let sim: WhatsAppSimulator;

beforeAll(async () => {
  receiver = await startReceiver();
  sim = createSim(receiver);
  // The user writes first, so the 24 h window is open and only the rules under test can refuse.
  await sim.userSends(USER, { kind: 'text', text: 'hola' });
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const x = (n: number, c = 'a'): string => c.repeat(n);
const buttons = (list: { id: string; title: string }[], extra: Record<string, unknown> = {}) => ({
  messaging_product: 'whatsapp',
  to: USER,
  type: 'interactive',
  interactive: { type: 'button', body: { text: '¿Confirmas?' }, action: { buttons: list.map((reply) => ({ type: 'reply', reply })) }, ...extra },
});
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Fila ${i}` }));
const list = (sections: unknown[], extra: Record<string, unknown> = {}, button = 'Ver opciones') => ({
  messaging_product: 'whatsapp',
  to: USER,
  type: 'interactive',
  interactive: { type: 'list', body: { text: 'Elige' }, action: { button, sections }, ...extra },
});
const image = (media: Record<string, unknown>) => ({ messaging_product: 'whatsapp', to: USER, type: 'image', image: media });

describe('accepted sends', () => {
  it.each(['send-text-request.json', 'send-interactive-buttons-request.json', 'send-interactive-list-request.json', 'send-image-link-request.json', 'send-document-link-request.json', 'send-template-request.json'])(
    'accepts the Meta-shaped fixture %s unchanged',
    async (name) => {
      const { status, json } = await graphSend(sim, fixtureJson(name));
      expect(status).toBe(200);
      expect(json.messages?.[0]?.id).toMatch(/^wamid\./);
    },
  );

  it('counts length in code points: a 4096-emoji text (8192 UTF-16 units) is accepted, 4097 is not', async () => {
    expect((await graphSend(sim, textSend(USER, x(4096, '😀')))).status).toBe(200);
    const refused = await graphSend(sim, textSend(USER, x(4097, '😀')));
    expect(refused.json.error?.code).toBe(131009);
  });

  it('defaults a missing type to text, as Meta does', async () => {
    const { status } = await graphSend(sim, { messaging_product: 'whatsapp', to: USER, text: { body: 'sin tipo' } });
    expect(status).toBe(200);
  });
});

describe('refused sends: HTTP 400 with the code Meta uses and details naming the field', () => {
  const cases: [string, unknown, number, RegExp][] = [
    ['a body that is not JSON → 100', '{"messaging_product":', 100, /parsed as JSON/],
    ['no messaging_product → 100', { to: USER, type: 'text', text: { body: 'x' } }, 100, /messaging_product is required/],
    ['messaging_product other than whatsapp → 100', textSend(USER, 'x', { messaging_product: 'instagram' }), 100, /messaging_product must be one of/],
    ['recipient_type other than individual → 100', textSend(USER, 'x', { recipient_type: 'group' }), 100, /recipient_type/],
    ['no to → 100', { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } }, 100, /to is required/],
    ['a to with + (not a wa_id) → 131009', textSend(`+${USER}`), 131009, /to must be a phone number of 7 to 15 digits/],
    ['a to of 6 digits → 131009', textSend('123456'), 131009, /7 to 15 digits/],
    ['an unknown type → 100', { messaging_product: 'whatsapp', to: USER, type: 'carousel', carousel: {} }, 100, /type must be one of/],
    ['an unknown top-level field → 100', textSend(USER, 'x', { priority: 'high' }), 100, /Unexpected key "priority"/],
    ['an unknown field inside text → 100', { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'x', bold: true } }, 100, /Unexpected key "bold" on param "text"/],
    ['text without body → 100', { messaging_product: 'whatsapp', to: USER, type: 'text', text: {} }, 100, /text\['body'\] is required/],
    ['an empty text body → 131009', textSend(USER, ''), 131009, /text\['body'\] must be at least 1 character/],
    ['a text body of 4097 characters → 131009', textSend(USER, x(4097)), 131009, /text\['body'\] must be at most 4096 characters/],
    ['preview_url that is not a boolean → 100', { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'x', preview_url: 'no' } }, 100, /text\['preview_url'\] must be a boolean/],
    ['biz_opaque_callback_data over 512 → 131009', textSend(USER, 'x', { biz_opaque_callback_data: x(513) }), 131009, /biz_opaque_callback_data must be at most 512/],
    ['a context without message_id → 100', textSend(USER, 'x', { context: {} }), 100, /context\['message_id'\] is required/],
    // Reply buttons
    ['no reply buttons → 131009', buttons([]), 131009, /buttons'\] must have between 1 and 3 items, got 0/],
    ['four reply buttons → 131009', buttons(rows(4)), 131009, /between 1 and 3 items, got 4/],
    ['a button title of 21 characters → 131009', buttons([{ id: 'a', title: x(21) }]), 131009, /\['reply'\]\['title'\] must be at most 20/],
    ['an empty button title → 131009', buttons([{ id: 'a', title: '' }]), 131009, /\['title'\] must be at least 1/],
    ['a button id of 257 characters → 131009', buttons([{ id: x(257), title: 'Sí' }]), 131009, /\['reply'\]\['id'\] must be at most 256/],
    ['two buttons with the same title → 131009', buttons([{ id: 'a', title: 'Sí' }, { id: 'b', title: 'Sí' }]), 131009, /button titles must be unique, "Sí"/],
    ['two buttons with the same id → 131009', buttons([{ id: 'a', title: 'Sí' }, { id: 'a', title: 'No' }]), 131009, /button ids must be unique, "a"/],
    ['a button that is not a reply → 100', { ...buttons([]), interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [{ type: 'url', url: 'https://x.co' }] } } }, 100, /Unexpected key "url" on param "interactive\['action'\]\['buttons'\]\[0\]"/],
    ['a buttons body of 1025 characters → 131009', { ...buttons([{ id: 'a', title: 'Sí' }]), interactive: { type: 'button', body: { text: x(1025) }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'Sí' } }] } } }, 131009, /interactive\['body'\]\['text'\] must be at most 1024/],
    ['a header of 61 characters → 131009', buttons([{ id: 'a', title: 'Sí' }], { header: { type: 'text', text: x(61) } }), 131009, /interactive\['header'\]\['text'\] must be at most 60/],
    ['a footer of 61 characters → 131009', buttons([{ id: 'a', title: 'Sí' }], { footer: { text: x(61) } }), 131009, /interactive\['footer'\]\['text'\] must be at most 60/],
    ['an interactive type the simulator does not know → 100', { ...buttons([]), interactive: { type: 'carousel', body: { text: 'x' }, action: {} } }, 100, /interactive\['type'\] must be one of/],
    // Lists
    ['a list button label of 21 characters → 131009', list([{ rows: rows(1) }], {}, x(21)), 131009, /interactive\['action'\]\['button'\] must be at most 20/],
    ['11 rows in total over two sections → 131009', list([{ title: 'A', rows: rows(6, 'a') }, { title: 'B', rows: rows(5, 'b') }]), 131009, /at most 10 rows in total, got 11/],
    ['11 sections → 131009', list(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}-`) }))), 131009, /sections'\] must have between 1 and 10 items, got 11/],
    ['no sections → 131009', list([]), 131009, /between 1 and 10 items, got 0/],
    ['two sections, one without a title → 131009', list([{ title: 'A', rows: rows(1, 'a') }, { rows: rows(1, 'b') }]), 131009, /sections'\]\[1\]\['title'\] is required when the list has more than one section/],
    ['a section title of 25 characters → 131009', list([{ title: x(25), rows: rows(1) }]), 131009, /\['title'\] must be at most 24/],
    ['a row title of 25 characters → 131009', list([{ rows: [{ id: 'a', title: x(25) }] }]), 131009, /\['rows'\]\[0\]\['title'\] must be at most 24/],
    ['a row description of 73 characters → 131009', list([{ rows: [{ id: 'a', title: 'A', description: x(73) }] }]), 131009, /\['description'\] must be at most 72/],
    ['a row id of 201 characters → 131009', list([{ rows: [{ id: x(201), title: 'A' }] }]), 131009, /\['rows'\]\[0\]\['id'\] must be at most 200/],
    ['the same row id in two sections → 131009', list([{ title: 'A', rows: [{ id: 'dup', title: 'A' }] }, { title: 'B', rows: [{ id: 'dup', title: 'B' }] }]), 131009, /row ids must be unique, "dup"/],
    ['a list body of 4097 characters → 131009', { ...list([{ rows: rows(1) }]), interactive: { type: 'list', body: { text: x(4097) }, action: { button: 'Ver', sections: [{ rows: rows(1) }] } } }, 131009, /must be at most 4096/],
    ['a list with an image header → 100', list([{ rows: rows(1) }], { header: { type: 'image', image: { link: 'https://x.co/a.png' } } }), 100, /header'\]\['type'\] must be one of \{text\}/],
    // Media
    ['an image by http:// link → 131009', image({ link: 'http://example.com/a.jpg' }), 131009, /image\['link'\] must be an https:\/\/ URL/],
    ['an image link that is not a URL → 131009', image({ link: 'a.jpg' }), 131009, /must be an absolute URL/],
    ['an image with both link and id → 100', image({ link: 'https://example.com/a.jpg', id: '123' }), 100, /either link or id, not both/],
    ['an image with neither link nor id → 100', image({ caption: 'x' }), 100, /image\['link'\] or image\['id'\] is required/],
    ['an image caption of 1025 characters → 131009', image({ link: 'https://example.com/a.jpg', caption: x(1025) }), 131009, /image\['caption'\] must be at most 1024/],
    ['an image with a filename → 100', image({ link: 'https://example.com/a.jpg', filename: 'a.jpg' }), 100, /Unexpected key "filename" on param "image"/],
    ['audio with a caption → 100', { messaging_product: 'whatsapp', to: USER, type: 'audio', audio: { id: '123', caption: 'x' } }, 100, /Unexpected key "caption" on param "audio"/],
    // Templates
    ['a template without language → 100', { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'hola' } }, 100, /template\['language'\] is required/],
    ['a template with an empty name → 131009', { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: '', language: { code: 'es' } } }, 131009, /template\['name'\] must be at least 1/],
    ['a template with an empty text parameter → 131008', { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'hola', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: ' ' }] }] } }, 131008, /\['parameters'\]\[0\]\['text'\] must not be empty/],
  ];

  it.each(cases)('refuses %s', async (_name, body, code, details) => {
    const { status, json } = await graphSend(sim, body);
    expect(status).toBe(400);
    expect(json.error?.code).toBe(code);
    expect(json.error?.error_data?.details).toMatch(details);
  });

  it("answers in Meta's error envelope: message, type OAuthException, code, error_data{messaging_product, details}, fbtrace_id", async () => {
    const { json } = await graphSend(sim, textSend(USER, x(4097)));
    expect(Object.keys(json)).toEqual(['error']);
    const error = json.error!;
    expect(error).toEqual({
      message: '(#131009) Parameter value is not valid',
      type: 'OAuthException',
      code: 131009,
      error_data: { messaging_product: 'whatsapp', details: expect.stringContaining("text['body']") as unknown as string },
      fbtrace_id: expect.stringMatching(/^[A-Za-z0-9_-]{23}$/) as unknown as string,
    });
  });

  it('records nothing for a refused send: the chat only holds what Meta accepted', async () => {
    const before = sim.conversation(USER).length;
    await graphSend(sim, textSend(USER, ''));
    expect(sim.conversation(USER)).toHaveLength(before);
  });
});
