/**
 * A template message on the playground's phone: the simulator renders the accepted send (its
 * template's text with the parameters filled in), the page's state carries it, and the page's
 * content function shows it — header, body, footer, the image header, and quick replies it can tap —
 * instead of the template's bare name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, post, startHarness, type Harness } from './support.js';

const USER = '573001119988';

interface Content {
  text?: string;
  header?: string;
  footer?: string;
  photo?: boolean;
  photoLink?: string;
  buttons?: { id: string; title: string }[];
}
interface MessagesModule {
  contentOfOutbound(body: unknown, rendered?: unknown): Content;
  previewOf(message: unknown): string;
}

describe('template messages on the playground', () => {
  let h: Harness;
  let page: MessagesModule;
  const global = globalThis as { document?: unknown };
  const hadDocument = 'document' in global;
  beforeAll(async () => {
    h = await startHarness();
    // messages.js is the page's own module: it only needs `document.body.dataset` to load.
    global.document ??= { body: { dataset: { base: '/playground' } } };
    page = (await import(new URL('../../../devstack/playground/public/messages.js', import.meta.url).href)) as MessagesModule;
  });
  afterAll(async () => {
    if (!hadDocument) delete global.document;
    await h.close();
  });

  const graphSend = (body: unknown) =>
    h.whatsapp.app.request(`/v25.0/${SECRETS.phoneNumberId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('shows the rendered template (the state carries it), not just its name', async () => {
    expect((await post(h.app, `/api/phones/${USER}/messages`, { kind: 'text', text: 'hola' })).status).toBe(200);
    const sent = await graphSend({
      messaging_product: 'whatsapp',
      to: USER,
      type: 'template',
      template: {
        name: 'recordatorio_pago',
        language: { code: 'es' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'septiembre' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Camila' }, { type: 'text', text: '$89.900' }, { type: 'text', text: '25 de septiembre' }] },
          { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'menu.agent' }] },
        ],
      },
    });
    expect(sent.status).toBe(200);
    const state = (await (await h.app.request('/playground/api/state')).json()) as { conversations: Record<string, { type: string; body: unknown; rendered?: unknown; direction: string }[]> };
    const message = state.conversations[USER]?.find((m) => m.type === 'template');
    expect(message?.rendered).toBeDefined();

    const content = page.contentOfOutbound(message?.body, message?.rendered);
    expect(content).toMatchObject({
      header: 'Tu factura de septiembre',
      text: expect.stringMatching(/^Hola, Camila\. Te recordamos que tu factura por \$89\.900 vence el 25 de septiembre\./),
      buttons: [{ id: 'menu.agent', title: 'Hablar con un asesor' }],
    });
    expect(content.footer).toBeUndefined();
    expect(page.previewOf(message)).toMatch(/^Hola, Camila\./);
    // A tap on the quick reply answers with its payload, as on a phone.
    const tap = await post(h.app, `/api/phones/${USER}/messages`, { kind: 'reply', id: 'menu.agent', title: 'Hablar con un asesor' });
    expect(tap.status).toBe(200);
    expect(((await tap.json()) as { message: { body: { type: string; button: unknown } } }).message.body).toMatchObject({ type: 'button', button: { payload: 'menu.agent', text: 'Hablar con un asesor' } });
  });

  it('shows an image header as a photo with its link, and the footer', () => {
    const content = page.contentOfOutbound(
      { type: 'template', template: { name: 'lanzamiento_fibra' } },
      { name: 'lanzamiento_fibra', language: 'es_CO', header: null, headerFormat: 'IMAGE', headerLink: 'https://cdn.ejemplo.co/fibra.jpg', body: 'Laura, ¡llegó la fibra óptica a tu barrio!', footer: 'Si no quieres recibir más promociones, responde BAJA.', buttons: [] },
    );
    expect(content).toMatchObject({ photo: true, photoLink: 'https://cdn.ejemplo.co/fibra.jpg', text: 'Laura, ¡llegó la fibra óptica a tu barrio!', footer: 'Si no quieres recibir más promociones, responde BAJA.' });
    expect(content.buttons).toBeUndefined();
    // Without a rendering (an older simulator message) the name is shown as before.
    expect(page.contentOfOutbound({ type: 'template', template: { name: 'lanzamiento_fibra' } })).toEqual({ text: '📋 Plantilla «lanzamiento_fibra»' });
  });
});
