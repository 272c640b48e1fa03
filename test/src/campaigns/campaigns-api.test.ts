import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, json, serveTemplates, WABA_ID, type Harness, type Json, type Org } from './helpers.js';

describe('campaigns API (/api/v1/campaigns)', () => {
  let h: Harness;
  let acme: Org;
  let other: Org;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    serveTemplates();
    h = await harness({ WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID });
    acme = await h.org('Acme');
    other = await h.org('Other');
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await h.deps.cleanup();
  });

  const create = async (org: Org, body: Json = {}) => {
    const res = await org.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Lanzamiento', ...body } });
    expect(res.status, await res.clone().text()).toBe(201);
    return json(res);
  };
  const step = async (org: Org, id: string, body: Json = {}) => {
    const res = await org.call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_name: 'promo_hogar', template_language: 'es', template_parameters: [{ value: '{{first_name}}', fallback: 'cliente' }, 'Hogar 500'], ...body } });
    expect(res.status, await res.clone().text()).toBe(201);
    return json(res);
  };
  const post = (org: Org, path: string, body?: unknown) => org.call(path, { method: 'POST', ...(body === undefined ? {} : { json: body }) });

  describe('campaigns', () => {
    it('creates a draft whatsapp campaign with its criteria filled in, reads, lists and changes it', async () => {
      const created = await create(acme, {
        description: 'Feria',
        target_criteria: { tags: [' Feria ', 'VIP'], lead_stages: ['sql', 'sql'], min_lead_score: 40, opt_in_status: 'opted_in', max_contacts: 100 },
        goal_type: 'conversion',
        goal_value: 20,
        budget: 500000,
        start_date: '2026-03-01T13:00:00Z',
        end_date: '2026-03-31T23:00:00Z',
        settings: { frequency_cap: '1_per_day' },
      });
      expect(created).toMatchObject({
        name: 'Lanzamiento',
        description: 'Feria',
        campaign_type: 'whatsapp',
        status: 'draft',
        target_criteria: {
          tags: ['feria', 'vip'],
          lead_stages: ['sql'],
          lifecycle_stages: [],
          min_lead_score: 40,
          max_lead_score: null,
          opt_in_status: ['opted_in'],
          exclude_do_not_contact: true,
          exclude_already_enrolled: true,
          max_contacts: 100,
        },
        goal_type: 'conversion',
        goal_value: 20,
        budget: 500000,
        start_date: '2026-03-01T13:00:00.000Z',
        settings: { send_time_optimization: false, frequency_cap: '1_per_day' },
        status_history: [{ from: null, to: 'draft', reason: null, by: expect.stringMatching(/^api:key_/) }],
      });
      const id = String(created.id);
      expect(id).toMatch(/^cmp_/);
      expect(await json(await acme.call(`/api/v1/campaigns/${id}`))).toEqual(created);
      expect(await json(await acme.read(`/api/v1/campaigns/${id}`))).toEqual(created);

      const patched = await json(await acme.call(`/api/v1/campaigns/${id}`, { method: 'PATCH', json: { description: null, target_criteria: { min_lead_score: null, max_contacts: 50 }, settings: { frequency_cap: 'none' } } }));
      expect(patched).toMatchObject({ description: null, target_criteria: { tags: ['feria', 'vip'], min_lead_score: null, max_contacts: 50 }, settings: { frequency_cap: null } });

      const list = await json(await acme.call('/api/v1/campaigns?status=draft&type=whatsapp'));
      expect((list.data as Json[]).map((c) => c.id)).toContain(id);
      expect(list).toMatchObject({ skip: 0, limit: 50 });
      expect((await json(await other.call('/api/v1/campaigns'))).total).toBe(0);
    });

    it('refuses anything but whatsapp with a 422 that says so', async () => {
      const res = await acme.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Correo', campaign_type: 'email' } });
      expect(res.status).toBe(422);
      const body = await json(res);
      expect(body).toMatchObject({ error: { code: 'INVALID_VALUE', message: expect.stringContaining('WhatsApp only'), details: [{ path: 'campaign_type' }] } });
      // Even with another mistake in the same body.
      expect((await acme.call('/api/v1/campaigns', { method: 'POST', json: { campaign_type: 'sms' } })).status).toBe(422);
      const { id } = await create(acme);
      expect((await acme.call(`/api/v1/campaigns/${String(id)}`, { method: 'PATCH', json: { campaign_type: 'email' } })).status).toBe(422);
      expect((await acme.call('/api/v1/campaigns?type=email')).status).toBe(422);
    });

    it('answers 400 for a wrong shape and 422 for a refused value', async () => {
      const cases: [Json, number][] = [
        [{}, 400],
        [{ name: '' }, 400],
        [{ name: 'x', budget: -1 }, 400],
        [{ name: 'x', start_date: 'mañana' }, 400],
        [{ name: 'x', settings: { frequency_cap: 'a veces' } }, 400],
        [{ name: 'x', status: 'active' }, 400],
        [{ name: 'x', target_criteria: { max_contacts: 0 } }, 400],
        [{ name: 'x', goal_type: 'ventas' }, 422],
        [{ name: 'x', target_criteria: { lead_stages: ['ganado'] } }, 422],
        [{ name: 'x', target_criteria: { opt_in_status: 'maybe' } }, 422],
        [{ name: 'x', target_criteria: { min_lead_score: 80, max_lead_score: 20 } }, 422],
        [{ name: 'x', start_date: '2026-03-02T00:00:00Z', end_date: '2026-03-01T00:00:00Z' }, 422],
      ];
      for (const [body, status] of cases) {
        const res = await acme.call('/api/v1/campaigns', { method: 'POST', json: body });
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect((await json(res)).error).toMatchObject({ code: status === 400 ? 'VALIDATION_ERROR' : 'INVALID_VALUE' });
      }
      expect((await acme.call('/api/v1/campaigns', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' })).status).toBe(400);
      expect((await acme.call('/api/v1/campaigns?status=borrador')).status).toBe(422);
    });

    it('needs a key (401), a write scope to change anything (403), and hides another organization’s campaigns (404)', async () => {
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}`;
      expect((await h.app.request(path)).status).toBe(401);
      expect((await h.app.request(path, { headers: { 'x-api-key': 'pk_nope' } })).status).toBe(401);
      expect((await acme.read('/api/v1/campaigns', { method: 'POST', json: { name: 'x' } })).status).toBe(403);
      expect((await acme.read(path, { method: 'PATCH', json: { name: 'y' } })).status).toBe(403);
      expect((await acme.read(path, { method: 'DELETE' })).status).toBe(403);
      expect((await acme.read(`${path}/start`, { method: 'POST' })).status).toBe(403);
      expect((await acme.read(`${path}/enroll`, { method: 'POST', json: { contact_ids: ['ct_x'] } })).status).toBe(403);
      for (const [method, suffix] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/start'], ['GET', '/messages'], ['GET', '/contacts'], ['GET', '/performance'], ['GET', '/funnel'], ['GET', '/activities'], ['GET', '/targeted-contacts'], ['POST', '/enroll-from-criteria']] as const) {
        const res = await other.call(`${path}${suffix}`, { method, ...(method === 'PATCH' ? { json: { name: 'z' } } : {}) });
        expect(res.status, `${method} ${suffix}`).toBe(404);
        expect((await json(res)).error).toMatchObject({ code: 'NOT_FOUND' });
      }
      expect((await acme.call('/api/v1/campaigns/cmp_nope')).status).toBe(404);
    });

    it('reads a JSON Content-Type over an empty body as no body, as clients that always send the header need', async () => {
      const emptyJson = (path: string) => acme.call(path, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '0' }, body: '' });
      const { id } = await create(acme);
      await step(acme, String(id));
      const started = await emptyJson(`/api/v1/campaigns/${String(id)}/start`);
      expect(started.status, await started.clone().text()).toBe(200);
      expect(await json(started)).toMatchObject({ status: 'active' });
      // A route that needs a body says what is missing, not that "" is not JSON.
      const noBody = await emptyJson('/api/v1/campaigns');
      expect(noBody.status).toBe(400);
      const missing = (await json(noBody)).error as Json;
      expect(missing).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(JSON.stringify(missing.details)).toContain('name');
      // A body that is there and is not JSON is still malformed.
      const broken = await acme.call(`/api/v1/campaigns/${String(id)}/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
      expect(broken.status).toBe(400);
      expect((await json(broken)).error).toMatchObject({ code: 'MALFORMED_JSON' });
    });

    it('start needs a message; pause only active, resume only paused; archived takes no change (409) and leaves the default list', async () => {
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}`;
      const noMessage = await post(acme, `${path}/start`);
      expect(noMessage.status).toBe(409);
      expect((await json(noMessage)).error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('no messages') });
      expect((await post(acme, `${path}/pause`)).status).toBe(409);
      expect((await post(acme, `${path}/resume`)).status).toBe(409);

      await step(acme, String(id));
      const started = await json(await post(acme, `${path}/start`, { reason: 'Lanzamiento' }));
      expect(started).toMatchObject({ status: 'active', started_at: expect.any(String) });
      expect((await post(acme, `${path}/start`)).status).toBe(409);
      expect((await post(acme, `${path}/resume`)).status).toBe(409);
      const paused = await json(await post(acme, `${path}/pause`));
      expect(paused).toMatchObject({ status: 'paused', paused_at: expect.any(String) });
      expect((await post(acme, `${path}/pause`)).status).toBe(409);
      const startPaused = await post(acme, `${path}/start`);
      expect(startPaused.status).toBe(409);
      expect((await json(startPaused)).error).toMatchObject({ message: expect.stringContaining('resume') });
      const resumed = await json(await post(acme, `${path}/resume`));
      expect(resumed).toMatchObject({ status: 'active', started_at: started.started_at });
      expect((resumed.status_history as Json[]).map((c) => [c.from, c.to, c.reason])).toEqual([
        [null, 'draft', null],
        ['draft', 'active', 'Lanzamiento'],
        ['active', 'paused', null],
        ['paused', 'active', 'resumed'],
      ]);

      const archived = await acme.call(path, { method: 'DELETE' });
      expect(archived.status).toBe(200);
      expect(await json(archived)).toMatchObject({ status: 'archived', archived_at: expect.any(String) });
      expect((await acme.call(path)).status).toBe(200);
      for (const [method, suffix, body] of [
        ['DELETE', '', undefined],
        ['PATCH', '', { name: 'otra' }],
        ['POST', '/start', undefined],
        ['POST', '/pause', undefined],
        ['POST', '/resume', undefined],
        ['POST', '/messages', { template_name: 'promo_hogar', template_language: 'es', template_parameters: ['a', 'b'] }],
        ['POST', '/enroll', { contact_ids: [await acme.contact()] }],
        ['POST', '/enroll-from-criteria', undefined],
      ] as const) {
        const res = await acme.call(`${path}${suffix}`, { method, ...(body ? { json: body } : {}) });
        expect(res.status, `${method} ${suffix}`).toBe(409);
        expect((await json(res)).error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('archived') });
      }
      const listed = await json(await acme.call('/api/v1/campaigns?limit=500'));
      expect((listed.data as Json[]).some((c) => c.id === id)).toBe(false);
      const archivedList = await json(await acme.call('/api/v1/campaigns?status=archived'));
      expect((archivedList.data as Json[]).map((c) => c.id)).toContain(id);
    });
  });

  describe('messages (steps)', () => {
    it('adds approved template steps with personalization tokens, lists them in order, changes and removes them', async () => {
      const { id } = await create(acme);
      const base = `/api/v1/campaigns/${String(id)}/messages`;
      const first = await step(acme, String(id), { send_time: '10:00', delay_amount: 0 });
      expect(first).toMatchObject({
        step_number: 1,
        message_type: 'whatsapp',
        template_name: 'promo_hogar',
        template_language: 'es',
        template_parameters: [
          { value: '{{first_name}}', fallback: 'cliente' },
          { value: 'Hogar 500', fallback: null },
        ],
        header_parameters: [],
        delay_amount: 0,
        delay_unit: 'days',
        send_time: '10:00',
        template_verified: true,
        template_category: 'MARKETING',
      });
      const second = await step(acme, String(id), { template_name: 'con_imagen', template_parameters: ['{{custom.plan}} para {{company}}'], header_media_url: 'https://cdn.ejemplo.co/a.jpg', delay_amount: 2, delay_unit: 'hours', send_time: '18:30:00' });
      expect(second).toMatchObject({ step_number: 2, header_media_url: 'https://cdn.ejemplo.co/a.jpg' });
      await step(acme, String(id), { step_number: 5, template_name: 'con_titulo', template_parameters: ['{{email}}'], header_parameters: [{ value: '{{name}}', fallback: 'ti' }] });
      const list = await json(await acme.call(base));
      expect((list.data as Json[]).map((m) => m.step_number)).toEqual([1, 2, 5]);
      expect(list.total).toBe(3);

      const dup = await acme.call(base, { method: 'POST', json: { step_number: 2, template_name: 'sin_parametros', template_language: 'es' } });
      expect(dup.status).toBe(409);
      expect((await json(dup)).error).toMatchObject({ details: { existing_id: second.id } });

      const patched = await json(await acme.call(`${base}/${String(first.id)}`, { method: 'PATCH', json: { delay_amount: 3, send_time: null, template_language: 'en_US' } }));
      expect(patched).toMatchObject({ delay_amount: 3, send_time: null, template_language: 'en_US', template_verified: true });
      expect((await acme.call(`${base}/${String(first.id)}`, { method: 'PATCH', json: { step_number: 5 } })).status).toBe(409);
      expect((await acme.call(`${base}/${String(first.id)}`, { method: 'PATCH', json: { template_name: 'pendiente' } })).status).toBe(422);

      expect((await acme.call(`${base}/${String(second.id)}`, { method: 'DELETE' })).status).toBe(204);
      expect((await acme.call(`${base}/${String(second.id)}`, { method: 'DELETE' })).status).toBe(404);
      expect((await acme.call(`${base}/${String(second.id)}`, { method: 'PATCH', json: { delay_amount: 1 } })).status).toBe(404);
      expect((await other.call(`${base}/${String(first.id)}`, { method: 'DELETE' })).status).toBe(404);
      expect((await other.call(base)).status).toBe(404);
    });

    it('refuses an unknown, unapproved or wrongly parametrized template, an unknown token and a non-whatsapp message (422 naming the problem)', async () => {
      const { id } = await create(acme);
      const base = `/api/v1/campaigns/${String(id)}/messages`;
      const refuse = async (body: Json, text: RegExp, path?: string) => {
        const res = await acme.call(base, { method: 'POST', json: { template_name: 'promo_hogar', template_language: 'es', template_parameters: ['a', 'b'], ...body } });
        expect(res.status, JSON.stringify(body)).toBe(422);
        const error = (await json(res)).error as Json;
        expect(error.code).toBe('INVALID_VALUE');
        expect(String(error.message)).toMatch(text);
        if (path) expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      };
      await refuse({ template_name: 'no_existe' }, /no template named no_existe/, 'template_name');
      await refuse({ template_language: 'pt_BR' }, /has no pt_BR version.*es, en_US/, 'template_language');
      await refuse({ template_name: 'pendiente', template_parameters: ['x'] }, /is PENDING: only APPROVED/);
      await refuse({ template_name: 'rechazada', template_parameters: [] }, /is REJECTED/);
      await refuse({ template_parameters: ['solo uno'] }, /takes 2 body parameter\(s\); template_parameters has 1/, 'template_parameters');
      await refuse({ template_parameters: ['a', 'b', 'c'] }, /takes 2 body parameter/);
      await refuse({ template_name: 'con_imagen', template_parameters: ['x'] }, /IMAGE header: header_media_url is required/, 'header_media_url');
      await refuse({ template_name: 'con_titulo', template_parameters: ['x'] }, /takes 1 header parameter/, 'header_parameters');
      await refuse({ template_name: 'con_boton', template_parameters: [] }, /buttons that take parameters/);
      await refuse({ template_parameters: ['{{apellido}}', 'b'] }, /unknown personalization token \{\{apellido\}\}/, 'template_parameters.0.value');
      await refuse({ template_parameters: [{ value: '{{name}}', fallback: '{{email}}' }, 'b'] }, /fallback is literal/);
      await refuse({ template_parameters: ['línea\notra', 'b'] }, /newlines/);
      await refuse({ message_type: 'email' }, /WhatsApp templates: message_type must be "whatsapp"/, 'message_type');
      await refuse({ delay_unit: 'months' }, /not one of those allowed/, 'delay_unit');
      for (const bad of [{ template_language: 'español' }, { send_time: '25:00' }, { send_time: '9am' }, { delay_amount: -1 }, { template_parameters: [{ fallback: 'x' }] }, { header_media_url: 'http://inseguro.co/a.jpg' }]) {
        expect((await acme.call(base, { method: 'POST', json: { template_name: 'promo_hogar', template_language: 'es', ...bad } })).status, JSON.stringify(bad)).toBe(400);
      }
      expect((await json(await acme.call(base))).total).toBe(0);
    });

    it('keeps at least one step on an active campaign', async () => {
      const { id } = await create(acme);
      const only = await step(acme, String(id));
      expect((await post(acme, `/api/v1/campaigns/${String(id)}/start`)).status).toBe(200);
      const res = await acme.call(`/api/v1/campaigns/${String(id)}/messages/${String(only.id)}`, { method: 'DELETE' });
      expect(res.status).toBe(409);
      await step(acme, String(id), { template_name: 'sin_parametros', template_parameters: [] });
      expect((await acme.call(`/api/v1/campaigns/${String(id)}/messages/${String(only.id)}`, { method: 'DELETE' })).status).toBe(204);
    });
  });

  describe('enrollment', () => {
    it('enrolls contacts by id (201), reports those enrolled already, 409 when nobody is new, 404 for unknown or foreign contacts', async () => {
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}`;
      const [a, b, c] = [await acme.contact({ name: 'Ana' }), await acme.contact(), await acme.contact()];
      const first = await post(acme, `${path}/enroll`, { contact_ids: [a, b, a] });
      expect(first.status).toBe(201);
      const result = await json(first);
      expect(result).toMatchObject({ enrolled_count: 2, already_enrolled_count: 0, skipped_count: 0, already_enrolled: [], skipped: [] });
      expect((result.enrollments as Json[]).map((e) => [e.contact_id, e.status, e.source, e.current_step])).toEqual([
        [a, 'pending', 'api', 0],
        [b, 'pending', 'api', 0],
      ]);

      const again = await post(acme, `${path}/enroll`, { contact_ids: [a] });
      expect(again.status).toBe(409);
      expect((await json(again)).error).toMatchObject({ code: 'CONFLICT', details: { already_enrolled: [a] } });
      const mixed = await json(await post(acme, `${path}/enroll`, { contact_ids: [b, c] }));
      expect(mixed).toMatchObject({ enrolled_count: 1, already_enrolled_count: 1, already_enrolled: [b] });

      const foreign = await other.contact();
      const unknown = await post(acme, `${path}/enroll`, { contact_ids: [await acme.contact(), foreign, 'ct_nope'] });
      expect(unknown.status).toBe(404);
      expect((await json(unknown)).error).toMatchObject({ details: { missing_contact_ids: [foreign, 'ct_nope'] } });
      expect((await json(await acme.call(`${path}/contacts`))).total).toBe(3);

      for (const body of [{}, { contact_ids: [] }, { contact_ids: [a], import_id: 'imp_x' }, { contact_ids: 'ct_x' }, { contact_ids: Array.from({ length: 10_001 }, (_v, i) => `ct_${i}`) }]) {
        expect((await post(acme, `${path}/enroll`, body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
      }

      const listed = await json(await acme.call(`${path}/contacts?status=pending`));
      expect(listed.data as Json[]).toEqual(expect.arrayContaining([expect.objectContaining({ contact_id: a, contact: expect.objectContaining({ name: 'Ana' }) })]));
      expect((await acme.call(`${path}/contacts?status=dormido`)).status).toBe(422);
    });

    it('skips do-not-contact contacts while the campaign excludes them', async () => {
      const dnc = await acme.contact({ do_not_contact: true });
      const ok = await acme.contact();
      const { id } = await create(acme);
      const res = await json(await post(acme, `/api/v1/campaigns/${String(id)}/enroll`, { contact_ids: [dnc, ok] }));
      expect(res).toMatchObject({ enrolled_count: 1, skipped_count: 1, skipped: [{ contact_id: dnc, reason: 'do_not_contact' }] });
      const only = await post(acme, `/api/v1/campaigns/${String(id)}/enroll`, { contact_ids: [dnc] });
      expect(only.status).toBe(200);
      expect(await json(only)).toMatchObject({ enrolled_count: 0, skipped_count: 1 });
      const lenient = await create(acme, { target_criteria: { exclude_do_not_contact: false } });
      expect(await json(await post(acme, `/api/v1/campaigns/${String(lenient.id)}/enroll`, { contact_ids: [dnc] }))).toMatchObject({ enrolled_count: 1 });
    });

    it('enrolls an import’s contacts (import_id), 404 for an unknown one', async () => {
      const imp = await json(await acme.call('/api/v1/imports', { method: 'POST', json: { source: 'feria' } }));
      const bulk = await acme.call('/api/v1/contacts/bulk', {
        method: 'POST',
        headers: { 'x-import-id': String(imp.id) },
        json: [{ phone: '3005550101', name: 'Uno' }, { phone: '3005550102', name: 'Dos' }, { phone: '3005550103', name: 'Tres', do_not_contact: true }],
      });
      expect(await json(bulk)).toMatchObject({ created: 3 });
      await acme.contact();
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}/enroll`;
      const res = await post(acme, path, { import_id: imp.id });
      expect(res.status).toBe(201);
      const result = await json(res);
      expect(result).toMatchObject({ enrolled_count: 2, skipped_count: 1 });
      expect((result.enrollments as Json[]).every((e) => e.source === 'import' && e.import_id === imp.id)).toBe(true);
      expect((await post(acme, path, { import_id: imp.id })).status).toBe(409);
      expect((await post(acme, path, { import_id: 'imp_nope' })).status).toBe(404);
      const foreignImport = await json(await other.call('/api/v1/imports', { method: 'POST', json: { source: 'x' } }));
      expect((await post(acme, path, { import_id: foreignImport.id })).status).toBe(404);
    });

    it('concurrent enrollments of the same contacts make exactly one enrollment each', async () => {
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}`;
      const ids = [await acme.contact(), await acme.contact(), await acme.contact()];
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(acme, `${path}/enroll`, { contact_ids: ids })));
      const statuses = answers.map((r) => r.status);
      const bodies = await Promise.all(answers.map(async (r) => json(r)));
      const made = bodies.reduce((n, b) => n + ((b.enrolled_count as number | undefined) ?? 0), 0);
      expect(made).toBe(3);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      const listed = await json(await acme.call(`${path}/contacts`));
      expect(listed.total).toBe(3);
      expect(new Set((listed.data as Json[]).map((e) => e.contact_id))).toEqual(new Set(ids));

      // One contact, ten requests: one 201, nine 409s.
      const single = await acme.contact();
      const one = await Promise.all(Array.from({ length: 10 }, () => post(acme, `${path}/enroll`, { contact_ids: [single] })));
      expect(one.map((r) => r.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
      // And from criteria at the same time as by id.
      const { id: other2 } = await create(acme);
      const more = [await acme.contact({ tags: ['carrera'] }), await acme.contact({ tags: ['carrera'] })];
      await acme.call(`/api/v1/campaigns/${String(other2)}`, { method: 'PATCH', json: { target_criteria: { tags: ['carrera'] } } });
      const mixed = await Promise.all([...Array.from({ length: 5 }, () => post(acme, `/api/v1/campaigns/${String(other2)}/enroll-from-criteria`)), ...Array.from({ length: 5 }, () => post(acme, `/api/v1/campaigns/${String(other2)}/enroll`, { contact_ids: more }))]);
      const total = (await Promise.all(mixed.map(async (r) => json(r)))).reduce((n, b) => n + ((b.enrolled_count as number | undefined) ?? 0), 0);
      expect(total).toBe(2);
      expect((await json(await acme.call(`/api/v1/campaigns/${String(other2)}/contacts`))).total).toBe(2);
    });

    it('unenrolls a contact: the enrollment ends (unsubscribed, unenrolled) and stays ended', async () => {
      const { id } = await create(acme);
      const path = `/api/v1/campaigns/${String(id)}`;
      const contact = await acme.contact({ name: 'Beto' });
      await post(acme, `${path}/enroll`, { contact_ids: [contact] });
      const res = await post(acme, `${path}/unenroll/${contact}`);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ contact_id: contact, status: 'unsubscribed', exit_reason: 'unenrolled', unenrolled_at: expect.any(String), contact: { name: 'Beto' } });
      expect((await post(acme, `${path}/unenroll/${contact}`)).status).toBe(409);
      expect((await post(acme, `${path}/unenroll/${await acme.contact()}`)).status).toBe(404);
      expect((await post(other, `${path}/unenroll/${contact}`)).status).toBe(404);
      expect((await post(acme, `${path}/enroll`, { contact_ids: [contact] })).status).toBe(409);
      expect((await json(await acme.call(`${path}/contacts?status=unsubscribed`))).total).toBe(1);
    });

    it('a deleted contact takes its enrollments with it', async () => {
      const { id } = await create(acme);
      const contact = await acme.contact();
      await post(acme, `/api/v1/campaigns/${String(id)}/enroll`, { contact_ids: [contact] });
      expect((await acme.call(`/api/v1/contacts/${contact}`, { method: 'DELETE' })).status).toBe(204);
      expect((await json(await acme.call(`/api/v1/campaigns/${String(id)}/contacts`))).total).toBe(0);
    });
  });

  describe('figures', () => {
    it('performance, funnel and activities are computed from the enrollments (0 until part B sends)', async () => {
      const { id } = await create(acme, { goal_type: 'conversion', goal_value: 10, budget: 1000 });
      const path = `/api/v1/campaigns/${String(id)}`;
      const ids = [await acme.contact(), await acme.contact(), await acme.contact()];
      await post(acme, `${path}/enroll`, { contact_ids: ids });
      await step(acme, String(id));
      await post(acme, `${path}/start`);
      await post(acme, `${path}/unenroll/${ids[2]}`);

      // What part B's sender and status webhooks will write, here by hand: one sent, delivered, read, replied and converted.
      const enrollments = h.deps.mongo.connection.collection('campaign_enrollments');
      const t = new Date(Date.now() + 60_000);
      await enrollments.updateOne({ contact_id: ids[0] }, { $set: { status: 'active', sent_at: t, delivered_at: t, read_at: t, replied_at: t, converted_at: t } });
      await enrollments.updateOne({ contact_id: ids[1] }, { $set: { status: 'active', sent_at: t } });

      const perf = await json(await acme.call(`${path}/performance`));
      expect(perf).toMatchObject({
        campaign_id: id,
        status: 'active',
        enrolled: 3,
        by_status: { pending: 0, active: 2, paused: 0, completed: 0, bounced: 0, unsubscribed: 1 },
        sent: 2,
        delivered: 1,
        read: 1,
        replied: 1,
        converted: 1,
        unenrolled: 1,
        delivery_rate: 50,
        read_rate: 100,
        reply_rate: 100,
        conversion_rate: 33.33,
        goal: { type: 'conversion', value: 10, achieved: 1, progress: 10 },
        budget: 1000,
        cost_per_conversion: 1000,
      });
      const f = await json(await acme.call(`${path}/funnel`));
      expect((f.stages as Json[]).map((s) => [s.stage, s.count, s.rate_from_previous, s.rate_from_enrolled])).toEqual([
        ['enrolled', 3, 100, 100],
        ['sent', 2, 66.67, 66.67],
        ['delivered', 1, 50, 33.33],
        ['read', 1, 100, 33.33],
        ['replied', 1, 100, 33.33],
        ['converted', 1, 100, 33.33],
      ]);
      expect(f.exits).toEqual({ bounced: 0, unsubscribed: 0, unenrolled: 1 });

      // Newest first. Contact activities come from the enrollments' enrolled/converted/exit times;
      // per-step message activities only from status webhooks and replies (funnel.test.ts), so none here.
      const acts = await json(await acme.call(`${path}/activities?limit=6`));
      expect(acts.total).toBe(2 + 3 + 1 + 1);
      expect((acts.data as Json[]).map((a) => a.type)).toEqual(['contact_converted', 'contact_unenrolled', 'started', 'contact_enrolled', 'contact_enrolled', 'contact_enrolled']);
      const all = await json(await acme.call(`${path}/activities?limit=500`));
      expect((all.data as Json[]).filter((a) => a.scope === 'campaign').map((a) => a.type)).toEqual(['started', 'created']);
      const enrolledOnly = await json(await acme.call(`${path}/activities?type=contact_enrolled&skip=1&limit=1`));
      expect(enrolledOnly).toMatchObject({ total: 3, skip: 1, limit: 1 });
      expect((enrolledOnly.data as Json[])[0]).toMatchObject({ type: 'contact_enrolled', scope: 'contact' });
      expect((await acme.call(`${path}/activities?type=clicked`)).status).toBe(422);

      const empty = await create(acme);
      expect(await json(await acme.call(`/api/v1/campaigns/${String(empty.id)}/performance`))).toMatchObject({ enrolled: 0, delivery_rate: 0, conversion_rate: 0, goal: { progress: null }, cost_per_conversion: null });
    });
  });
});
