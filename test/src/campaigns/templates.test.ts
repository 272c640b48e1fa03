import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH, harness, json, template, TEMPLATES_PATH, WABA_ID, type Harness, type Json, type Org } from './helpers.js';

const named = {
  id: 'named-es',
  name: 'bienvenida_nombrada',
  language: 'es',
  category: 'UTILITY',
  status: 'APPROVED',
  components: [{ type: 'BODY', text: 'Hola {{nombre}}, tu plan {{plan}} está listo, {{nombre}}.', example: { body_text_named_params: [{ param_name: 'nombre', example: 'Ana' }] } }],
};
const page1 = [
  template('promo_hogar', 'es', { bodyParams: 2, header: { format: 'TEXT', text: 'Oferta {{1}}' } }),
  named,
  template('con_imagen', 'es', { bodyParams: 1, header: { format: 'IMAGE' } }),
  template('con_botones', 'es', {
    buttons: [
      { type: 'URL', text: 'Ver', url: 'https://ejemplo.co/{{1}}' },
      { type: 'URL', text: 'Fijo', url: 'https://ejemplo.co/fijo' },
      { type: 'COPY_CODE', text: 'Copiar' },
      { type: 'QUICK_REPLY', text: 'BAJA' },
    ],
  }),
];
const page2 = [template('pendiente', 'es', { status: 'PENDING', bodyParams: 1 })];

/** Graph's two pages of templates, once each. */
const serveTwoPages = (first: Json[] = page1, second: Json[] = page2) =>
  nock(GRAPH)
    .get(TEMPLATES_PATH)
    .query((q) => q.after === undefined && q.fields === 'name,language,category,status,components')
    .reply(200, { data: first, paging: { cursors: { before: 'B', after: 'P2' }, next: `${GRAPH}${TEMPLATES_PATH}?after=P2&access_token=x` } })
    .get(TEMPLATES_PATH)
    .query((q) => q.after === 'P2')
    .reply(200, { data: second, paging: { cursors: { before: 'P2', after: 'END' } } });

describe('WhatsApp templates (GET /api/v1/templates) and the checks that use them', () => {
  let h: Harness;
  let acme: Org;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await harness({ WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID });
    acme = await h.org('Acme');
  });
  afterEach(() => nock.cleanAll());
  afterAll(async () => {
    nock.enableNetConnect();
    await h.deps.cleanup();
  });

  it('lists every page of the account’s templates with the parameters each component takes', async () => {
    const scope = serveTwoPages();
    const res = await acme.read('/api/v1/templates');
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json(res);
    expect(scope.isDone()).toBe(true);
    expect(body).toMatchObject({ total: 5, skip: 0, limit: 50 });
    const byName = Object.fromEntries((body.data as Json[]).map((t) => [t.name, t]));
    expect(Object.keys(byName)).toEqual(['bienvenida_nombrada', 'con_botones', 'con_imagen', 'pendiente', 'promo_hogar']);
    expect(byName.promo_hogar).toMatchObject({ language: 'es', category: 'MARKETING', status: 'APPROVED', parameter_format: 'POSITIONAL', body_parameter_count: 2, header_parameter_count: 1, header_media_format: null, button_parameter_count: 0 });
    expect((byName.promo_hogar as Json).components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Oferta {{1}}', parameter_count: 1, parameter_names: [] },
      { type: 'BODY', format: null, text: 'Hola {{1}}, {{2}}.', parameter_count: 2, parameter_names: [] },
      { type: 'FOOTER', format: null, text: 'Responde BAJA para salir', parameter_count: 0, parameter_names: [] },
    ]);
    expect(byName.bienvenida_nombrada).toMatchObject({ parameter_format: 'NAMED', body_parameter_count: 2, components: [{ parameter_names: ['nombre', 'plan'] }] });
    expect(byName.con_imagen).toMatchObject({ header_media_format: 'IMAGE', header_parameter_count: 0, body_parameter_count: 1 });
    expect(byName.con_botones).toMatchObject({ button_parameter_count: 2 });
    expect(byName.pendiente).toMatchObject({ status: 'PENDING' });

    expect((await json(await acme.read('/api/v1/templates?status=approved'))).total).toBe(4);
    const page = await json(await acme.read('/api/v1/templates?name=promo_hogar&limit=1'));
    expect(page).toMatchObject({ total: 1, limit: 1 });
  });

  it('keeps the list for 5 minutes (no Graph call); refresh=true reads Graph again', async () => {
    // No interceptor and no network: a Graph call would fail, so a 200 came from the copy.
    expect((await json(await acme.read('/api/v1/templates'))).total).toBe(5);
    const scope = serveTwoPages(page1, []);
    expect((await json(await acme.read('/api/v1/templates?refresh=true'))).total).toBe(4);
    expect(scope.isDone()).toBe(true);
    expect((await acme.read('/api/v1/templates?refresh=maybe')).status).toBe(422);
  });

  it('answers 503 in the error shape when the Graph API fails or cannot be reached, and does not keep the failure', async () => {
    nock(GRAPH).get(TEMPLATES_PATH).query(true).reply(500, { error: { message: 'An unknown error occurred', code: 1, type: 'OAuthException' } });
    const down = await acme.read('/api/v1/templates?refresh=true');
    expect(down.status).toBe(503);
    expect(await json(down)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('could not be reached'), details: { graph_status: 500, graph_code: 1 } } });
    nock(GRAPH).get(TEMPLATES_PATH).query(true).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(await json(await acme.read('/api/v1/templates?refresh=true'))).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', details: { graph_status: null } } });
    serveTwoPages();
    expect((await acme.read('/api/v1/templates?refresh=true')).status).toBe(200);
  });

  it('a new message needs Graph: 503 when it is down (nothing stored), 201 once it answers', async () => {
    const fresh = await harness({ WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID });
    try {
      const org = await fresh.org('Fresh');
      const id = String((await json(await org.call('/api/v1/campaigns', { method: 'POST', json: { name: 'x' } }))).id);
      const message = { template_name: 'promo_hogar', template_language: 'es', template_parameters: ['a', 'b'], header_parameters: ['c'] };
      nock(GRAPH).get(TEMPLATES_PATH).query(true).reply(503, 'upstream down');
      const res = await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: message });
      expect(res.status).toBe(503);
      expect((await json(res)).error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect((await json(await org.call(`/api/v1/campaigns/${id}/messages`))).total).toBe(0);
      serveTwoPages();
      expect((await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: message })).status).toBe(201);
    } finally {
      await fresh.deps.cleanup();
    }
  });

  describe('a NAMED template: each parameter names the placeholder it fills', () => {
    let id = '';
    const post = (body: Json) => acme.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'bienvenida_nombrada', template_language: 'es', ...body } });
    const refused = async (res: Response, status: number, message: RegExp) => {
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((body.error as Json).message).toMatch(message);
      return body.error as Json;
    };
    beforeAll(async () => {
      id = String((await json(await acme.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Nombrada' } }))).id);
    });
    afterEach(() => nock.cleanAll());

    it('stores the names, in any order, and answers them', async () => {
      serveTwoPages();
      const res = await post({ template_parameters: [{ name: 'plan', value: '{{custom.plan}}', fallback: 'Hogar' }, { name: 'nombre', value: '{{first_name}}', fallback: 'cliente' }] });
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body).toMatchObject({
        template_verified: true,
        template_parameters: [
          { name: 'plan', value: '{{custom.plan}}', fallback: 'Hogar' },
          { name: 'nombre', value: '{{first_name}}', fallback: 'cliente' },
        ],
      });
      const listed = await json(await acme.read(`/api/v1/campaigns/${id}/messages`));
      expect(((listed.data as Json[])[0] as Json).template_parameters).toEqual([
        { name: 'plan', value: '{{custom.plan}}', fallback: 'Hogar' },
        { name: 'nombre', value: '{{first_name}}', fallback: 'cliente' },
      ]);
    });

    it('refuses positional parameters, unknown and missing names with a 422 naming them', async () => {
      serveTwoPages();
      await acme.read('/api/v1/templates?refresh=true');
      const positional = await refused(await post({ template_parameters: ['{{first_name}}', 'Hogar'] }), 422, /template bienvenida_nombrada \(es\) has NAMED body parameters: give each of template_parameters the name of the placeholder it fills \(\{\{nombre\}\}, \{\{plan\}\}\)/);
      expect(positional).toMatchObject({ code: 'INVALID_VALUE', details: [{ path: 'template_parameters' }] });
      const wrong = await refused(await post({ template_parameters: [{ name: 'nombre', value: 'Ana' }, { name: 'plan_nuevo', value: 'Hogar' }] }), 422, /has no body parameter named plan_nuevo.*needs template_parameters for \{\{plan\}\} too/);
      expect(wrong.details).toEqual([
        { path: 'template_parameters', message: expect.stringContaining('plan_nuevo') },
        { path: 'template_parameters', message: expect.stringContaining('{{plan}}') },
      ]);
      await refused(await post({ template_parameters: [{ name: 'nombre', value: 'Ana' }] }), 422, /needs template_parameters for \{\{plan\}\} too/);
      // Names for a positional template.
      await refused(await acme.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'con_imagen', template_language: 'es', header_media_url: 'https://cdn.ejemplo.co/a.jpg', template_parameters: [{ name: 'nombre', value: 'Ana' }] } }), 422, /takes positional body parameters.*leave name out/);
    });

    it('refuses a mix of named and unnamed parameters, a name given twice (422) and a malformed name (400) before asking Graph', async () => {
      // No Graph interceptor: these are refused on their own.
      await refused(await post({ template_parameters: [{ name: 'nombre', value: 'Ana' }, 'Hogar'] }), 422, /name every parameter .* or none/);
      await refused(await post({ template_parameters: [{ name: 'nombre', value: 'Ana' }, { name: 'nombre', value: 'Beto' }] }), 422, /parameter name nombre is given more than once/);
      const malformed = await post({ template_parameters: [{ name: 'Nombre Completo', value: 'Ana' }, { name: 'plan', value: 'Hogar' }] });
      expect(malformed.status).toBe(400);
      expect((await json(malformed)).error).toMatchObject({ code: 'VALIDATION_ERROR' });
    });

    it('checks a PATCH of the parameters against the template again', async () => {
      serveTwoPages();
      const created = await json(await post({ step_number: 9, template_parameters: [{ name: 'nombre', value: 'Ana' }, { name: 'plan', value: 'Hogar' }] }));
      serveTwoPages();
      await refused(await acme.call(`/api/v1/campaigns/${id}/messages/${String(created.id)}`, { method: 'PATCH', json: { template_parameters: [{ name: 'nombre', value: 'Ana' }, { name: 'ciudad', value: 'Cali' }] } }), 422, /no body parameter named ciudad/);
      serveTwoPages();
      const patched = await acme.call(`/api/v1/campaigns/${id}/messages/${String(created.id)}`, { method: 'PATCH', json: { template_parameters: [{ name: 'plan', value: 'Fibra' }, { name: 'nombre', value: '{{first_name}}', fallback: 'cliente' }] } });
      expect(patched.status).toBe(200);
      expect((await json(patched)).template_parameters).toEqual([
        { name: 'plan', value: 'Fibra', fallback: null },
        { name: 'nombre', value: '{{first_name}}', fallback: 'cliente' },
      ]);
    });
  });

  it('start checks every step’s template again: one paused since is a 422 naming the step', async () => {
    serveTwoPages();
    await acme.read('/api/v1/templates?refresh=true');
    const id = String((await json(await acme.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Recheck' } }))).id);
    const created = await acme.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'promo_hogar', template_language: 'es', template_parameters: ['a', 'b'], header_parameters: ['c'] } });
    expect(created.status).toBe(201);
    serveTwoPages([{ ...page1[0], status: 'PAUSED' }, ...page1.slice(1)]);
    await acme.read('/api/v1/templates?refresh=true');
    const res = await acme.call(`/api/v1/campaigns/${id}/start`, { method: 'POST' });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: 'INVALID_VALUE', message: 'step 1: template promo_hogar (es) is PAUSED: only APPROVED templates can be sent', details: [{ path: 'messages.step_1.template_name' }] });
    expect((await json(await acme.call(`/api/v1/campaigns/${id}`))).status).toBe('draft');
  });

  it('without WHATSAPP_BUSINESS_ACCOUNT_ID: templates answer 503 NOT_CONFIGURED; messages are kept unverified and the campaign can start', async () => {
    const bare = await harness();
    try {
      const org = await bare.org('Bare');
      const res = await org.read('/api/v1/templates');
      expect(res.status).toBe(503);
      expect(await json(res)).toEqual({ error: { code: 'NOT_CONFIGURED', message: 'WhatsApp templates are not configured: set WHATSAPP_BUSINESS_ACCOUNT_ID' } });
      const id = String((await json(await org.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Sin WABA' } }))).id);
      const message = await json(await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'cualquiera', template_language: 'es', template_parameters: ['{{first_name}}'] } }));
      expect(message).toMatchObject({ template_verified: false, template_verified_at: null, template_category: null });
      // Names cannot be checked against a template either: kept as given (their shape is checked).
      const named = await json(await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'cualquiera', template_language: 'es', template_parameters: [{ name: 'nombre', value: '{{first_name}}' }] } }));
      expect(named).toMatchObject({ template_verified: false, template_parameters: [{ name: 'nombre', value: '{{first_name}}', fallback: null }] });
      // Tokens and shapes are still checked.
      expect((await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'x', template_language: 'es', template_parameters: ['{{apodo}}'] } })).status).toBe(422);
      expect((await org.call(`/api/v1/campaigns/${id}/start`, { method: 'POST' })).status).toBe(200);
    } finally {
      await bare.deps.cleanup();
    }
  });
});
