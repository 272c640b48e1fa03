/**
 * The simulator's message templates: `GET /{version}/{waba-id}/message_templates` in Meta's paging
 * shape, and template sends checked against the catalog with Meta's codes (132001 unknown or not
 * approved, 132015 paused, 132012 header format, 132000 parameters: count, or a NAMED template's
 * names), an accepted one rendered for the phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, type WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';
import { ACCESS_TOKEN, USER, WABA_ID, createSim, graphSend, startReceiver, type GraphErrorJson, type WebhookReceiver } from './support.js';

let receiver: WebhookReceiver;
let sim: WhatsAppSimulator;

beforeAll(async () => {
  receiver = await startReceiver();
  sim = createSim(receiver);
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

type Page = { data: { name: string; language: string; status: string; category: string; parameter_format: string; components: { type: string; format?: string; example?: Record<string, unknown> }[] }[]; paging?: { cursors: { before: string; after: string }; next?: string }; error?: GraphErrorJson };

async function list(query = '', options: { token?: string | null; waba?: string } = {}): Promise<{ status: number; json: Page }> {
  const token = options.token === undefined ? ACCESS_TOKEN : options.token;
  const res = await sim.app.request(`/v25.0/${options.waba ?? WABA_ID}/message_templates${query}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Page };
}

const send = (name: string, language: string, components?: unknown[]) =>
  graphSend(sim, { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name, language: { code: language }, ...(components ? { components } : {}) } });
const text = (value: string, name?: string) => ({ type: 'text', text: value, ...(name ? { parameter_name: name } : {}) });

describe('GET /{version}/{waba-id}/message_templates', () => {
  it('serves a Spanish catalog with every kind the campaign rules need to be seen', async () => {
    const { status, json } = await list('?fields=name,language,category,status,components');
    expect(status).toBe(200);
    expect(json.paging?.next).toBeUndefined();
    const byName = new Map(json.data.map((t) => [t.name, t]));
    expect(json.data.map((t) => t.name)).toEqual(DEFAULT_TEMPLATES.map((t) => t.name));
    expect(json.data.every((t) => t.language === 'es' || t.language === 'es_CO')).toBe(true);
    expect(byName.get('promo_velocidad')).toMatchObject({ category: 'MARKETING', status: 'APPROVED', parameter_format: 'POSITIONAL' });
    expect(byName.get('oferta_cumpleanos')).toMatchObject({ category: 'MARKETING', status: 'APPROVED', parameter_format: 'NAMED' });
    expect(byName.get('oferta_cumpleanos')?.components.find((c) => c.type === 'BODY')?.example).toHaveProperty('body_text_named_params');
    expect(byName.get('recordatorio_pago')).toMatchObject({ category: 'UTILITY', status: 'APPROVED' });
    expect(byName.get('lanzamiento_fibra')?.components[0]).toMatchObject({ type: 'HEADER', format: 'IMAGE' });
    expect(json.data.filter((t) => t.status !== 'APPROVED').map((t) => [t.name, t.status])).toEqual([
      ['promo_black_friday', 'PAUSED'],
      ['gana_premio', 'REJECTED'],
    ]);
  });

  it('pages by `limit` with Meta’s cursors: `after` continues, `next` only while more follow', async () => {
    const names: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { status, json } = await list(`?limit=3${after ? `&after=${after}` : ''}`);
      expect(status).toBe(200);
      pages += 1;
      names.push(...json.data.map((t) => t.name));
      expect(json.data.length).toBeLessThanOrEqual(3);
      expect(json.paging?.cursors.before).toEqual(expect.any(String));
      after = json.paging?.cursors.after;
      if (!json.paging?.next) break;
      expect(json.paging.next).toContain(`after=${after}`);
    }
    expect(pages).toBe(Math.ceil(DEFAULT_TEMPLATES.length / 3));
    expect(names).toEqual(DEFAULT_TEMPLATES.map((t) => t.name));
    // Past the end: an empty page.
    expect((await list(`?after=${after}`)).json).toEqual({ data: [] });
  });

  it('refuses like Meta: no token 190, another account 100/33, a bad limit or cursor 100', async () => {
    expect((await list('', { token: null })).json.error?.code).toBe(190);
    const other = await list('', { waba: '999999999999999' });
    expect([other.status, other.json.error?.code, other.json.error?.error_subcode]).toEqual([400, 100, 33]);
    expect((await list('?limit=0')).json.error).toMatchObject({ code: 100, message: expect.stringContaining('limit') });
    expect((await list('?after=nope')).json.error).toMatchObject({ code: 100, message: expect.stringContaining('cursor') });
  });
});

describe('template sends against the catalog', () => {
  const refused = async (result: Promise<{ status: number; json: { error?: GraphErrorJson } }>, code: number, details: RegExp) => {
    const { status, json } = await result;
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code, type: 'OAuthException', message: expect.stringContaining(`(#${code})`) });
    expect(json.error?.error_data?.details).toMatch(details);
  };

  it('132001 for a template the account does not have, or not in that language, or not approved', async () => {
    await refused(send('no_existe', 'es'), 132001, /template name \(no_existe\) does not exist in es/);
    await refused(send('promo_velocidad', 'en_US', [{ type: 'body', parameters: [text('Laura'), text('500 Mbps')] }]), 132001, /does not exist in en_US/);
    await refused(send('gana_premio', 'es_CO', [{ type: 'body', parameters: [text('Laura')] }]), 132001, /REJECTED/);
  });

  it('132015 for a paused template', async () => {
    await refused(send('promo_black_friday', 'es_CO', [{ type: 'body', parameters: [text('Laura')] }]), 132015, /paused/);
  });

  it('132000 when the positional parameters do not match the template’s count', async () => {
    await refused(send('promo_velocidad', 'es_CO', [{ type: 'body', parameters: [text('Laura')] }]), 132000, /body: number of localizable_params \(1\) does not match the expected number of params \(2\)/);
    await refused(send('promo_velocidad', 'es_CO'), 132000, /\(0\) does not match the expected number of params \(2\)/);
    await refused(send('aviso_mantenimiento', 'es', [{ type: 'body', parameters: [text('de más')] }]), 132000, /\(1\) does not match the expected number of params \(0\)/);
    await refused(send('promo_velocidad', 'es_CO', [{ type: 'body', parameters: [text('Laura', 'nombre'), text('500 Mbps', 'velocidad')] }]), 132000, /positional parameters/);
  });

  it('132000 naming the parameter_names a NAMED template lacks or does not have', async () => {
    const header = { type: 'header', parameters: [text('Laura', 'nombre')] };
    await refused(send('oferta_cumpleanos', 'es_CO', [header, { type: 'body', parameters: [text('20 %'), text('Hogar'), text('30 de junio')] }]), 132000, /every parameter needs a parameter_name/);
    await refused(
      send('oferta_cumpleanos', 'es_CO', [header, { type: 'body', parameters: [text('20 %', 'descuento'), text('Hogar', 'plan_nuevo')] }]),
      132000,
      /body: missing parameter_name plan, fecha_limite; unknown parameter_name plan_nuevo/,
    );
    await refused(send('oferta_cumpleanos', 'es_CO', [{ type: 'body', parameters: [text('20 %', 'descuento'), text('Hogar', 'plan'), text('30 de junio', 'fecha_limite')] }]), 132000, /header: .*parameter_name/);
  });

  it('132012 when a media header is missing or of another kind', async () => {
    const body = { type: 'body', parameters: [text('Laura'), text('900 Mbps')] };
    await refused(send('lanzamiento_fibra', 'es_CO', [body]), 132012, /expected IMAGE, received NONE/);
    await refused(send('lanzamiento_fibra', 'es_CO', [{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://cdn.ejemplo.co/a.mp4' } }] }, body]), 132012, /expected IMAGE, received VIDEO/);
  });

  it('accepts a right send and renders what the phone shows: named values in any order, media header, footer, quick replies with their payload', async () => {
    const named = await send('oferta_cumpleanos', 'es_CO', [
      { type: 'header', parameters: [text('Laura', 'nombre')] },
      { type: 'body', parameters: [text('30 de junio', 'fecha_limite'), text('20 %', 'descuento'), text('Hogar 300 Mbps', 'plan')] },
    ]);
    expect(named.status).toBe(200);
    expect(named.json.messages?.[0]?.message_status).toBe('accepted');
    const image = await send('lanzamiento_fibra', 'es_CO', [{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.ejemplo.co/fibra.jpg' } }] }, { type: 'body', parameters: [text('Andrés'), text('900 Mbps')] }]);
    expect(image.status).toBe(200);
    const reminder = await send('recordatorio_pago', 'es', [
      { type: 'header', parameters: [text('septiembre')] },
      { type: 'body', parameters: [text('Valentina'), text('$89.900'), text('25 de septiembre')] },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'menu.account' }] },
    ]);
    expect(reminder.status).toBe(200);
    const chat = sim.conversation(USER);
    const rendered = (wamid: string | undefined) => chat.find((m) => m.wamid === wamid)?.rendered;
    expect(rendered(named.json.messages?.[0]?.id)).toEqual({
      name: 'oferta_cumpleanos',
      language: 'es_CO',
      header: '¡Feliz cumpleaños, Laura! 🎂',
      headerFormat: null,
      headerLink: null,
      body: 'Para celebrarlo te regalamos 20 % de descuento en la próxima factura de tu plan Hogar 300 Mbps. Solo tienes que responder a este mensaje antes del 30 de junio. ¡Que lo disfrutes mucho!',
      footer: 'Si no quieres recibir más promociones, responde BAJA.',
      buttons: [],
    });
    expect(rendered(image.json.messages?.[0]?.id)).toMatchObject({ header: null, headerFormat: 'IMAGE', headerLink: 'https://cdn.ejemplo.co/fibra.jpg', body: expect.stringMatching(/^Andrés, ¡llegó la fibra óptica a tu barrio! 🎉 Navega hasta 900 Mbps/) });
    expect(rendered(reminder.json.messages?.[0]?.id)).toMatchObject({
      header: 'Tu factura de septiembre',
      body: expect.stringMatching(/^Hola, Valentina\. Te recordamos que tu factura por \$89\.900 vence el 25 de septiembre\./),
      buttons: [
        { text: 'Ver mi factura', payload: 'menu.account' },
        { text: 'Hablar con un asesor', payload: null },
      ],
    });
  });

  it('uses the templates it is given instead of the default catalog', async () => {
    const own = createSim(receiver, { templates: [{ id: '1', name: 'solo_esta', language: 'es', category: 'UTILITY', status: 'APPROVED', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hola' }] }] });
    try {
      const res = await own.app.request(`/v25.0/${WABA_ID}/message_templates`, { headers: { authorization: `Bearer ${ACCESS_TOKEN}` } });
      expect(((await res.json()) as Page).data.map((t) => t.name)).toEqual(['solo_esta']);
      expect((await graphSend(own, { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'promo_velocidad', language: { code: 'es_CO' } } })).json.error?.code).toBe(132001);
    } finally {
      await own.close();
    }
  });
});
