import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from './helpers.js';

type Org = Awaited<ReturnType<Harness['org']>>;
type Json = Record<string, unknown>;

describe('contacts API (/api/v1/contacts)', () => {
  let h: Harness;
  let acme: Org;
  let other: Org;

  beforeAll(async () => {
    h = await harness();
    acme = await h.org('Acme');
    other = await h.org('Other');
  });
  afterAll(async () => h.deps.cleanup());

  const create = (org: Org, json: unknown, headers?: Record<string, string>) => org.call('/api/v1/contacts', { method: 'POST', json, headers });

  it('creates, reads, lists, updates and deletes a contact', async () => {
    const res = await create(acme, { phone: '300 765 4321', name: 'María Pérez', first_name: 'María', email: 'Maria@Example.COM', company: 'Acme SAS', tags: [' VIP ', 'vip', 'Bogotá  Norte'], locale: 'es-co', timezone: 'America/Bogota', custom_fields: { plan: 'hogar-300' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({ phone: '573007654321', email: 'maria@example.com', tags: ['vip', 'bogotá norte'], locale: 'es-CO', timezone: 'America/Bogota', opt_in_status: 'unknown', consent_history: [], do_not_contact: false, source: 'api', custom_fields: { plan: 'hogar-300' } });
    expect(created.id).toMatch(/^ct_/);
    expect(created.created_at).toMatch(/Z$/);

    const got = await acme.call(`/api/v1/contacts/${String(created.id)}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(created);

    const list = await acme.call('/api/v1/contacts?q=MARÍA');
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ total: 1, skip: 0, limit: 50, data: [{ id: created.id }] });
    expect(await (await acme.call('/api/v1/contacts?q=7654')).json()).toMatchObject({ total: 1 });
    expect(await (await acme.call('/api/v1/contacts?tag=VIP')).json()).toMatchObject({ total: 1 });
    expect(await (await acme.call('/api/v1/contacts?tag=nope')).json()).toMatchObject({ total: 0 });

    const put = await acme.call(`/api/v1/contacts/${String(created.id)}`, { method: 'PUT', json: { locale: 'es-ES', timezone: 'Europe/Madrid', company: null, tags: ['new'] } });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ locale: 'es-ES', timezone: 'Europe/Madrid', company: null, tags: ['new'], email: 'maria@example.com' });

    const del = await acme.call(`/api/v1/contacts/${String(created.id)}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await acme.call(`/api/v1/contacts/${String(created.id)}`)).status).toBe(404);
    expect((await acme.call(`/api/v1/contacts/${String(created.id)}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('keeps every consent change in the history and filters by opt_in_status', async () => {
    const res = await create(acme, { phone: '3011111111', opt_in_status: 'opted_in', opt_in_source: 'web_form' });
    const c = (await res.json()) as Json;
    expect(c).toMatchObject({ opt_in_status: 'opted_in', opt_in_source: 'web_form', consent_history: [{ from: null, to: 'opted_in', source: 'web_form' }] });
    expect(c.opt_in_at).toEqual((c.consent_history as Json[])[0]?.at);
    const out = (await (await acme.call(`/api/v1/contacts/${String(c.id)}`, { method: 'PUT', json: { opt_in_status: 'opted_out', opt_in_source: 'whatsapp_stop', opt_in_at: '2025-02-01T10:00:00Z' } })).json()) as Json;
    expect(out.consent_history).toEqual([
      expect.objectContaining({ from: null, to: 'opted_in' }),
      { from: 'opted_in', to: 'opted_out', source: 'whatsapp_stop', at: '2025-02-01T10:00:00.000Z' },
    ]);
    // The same status again is no change.
    const same = (await (await acme.call(`/api/v1/contacts/${String(c.id)}`, { method: 'PUT', json: { opt_in_status: 'opted_out' } })).json()) as Json;
    expect(same.consent_history).toHaveLength(2);
    const outs = (await (await acme.call('/api/v1/contacts?opt_in_status=opted_out')).json()) as { data: Json[] };
    expect(outs.data.map((d) => d.id)).toEqual([c.id]);
  });

  it.each([
    ['3001234567', '573001234567'],
    ['+57 300 123 4567', '573001234567'],
    ['573001234567', '573001234567'],
    ['(300) 123-4567', '573001234567'],
    ['+1 212 736 5000', '12127365000'],
    ['12127365000', '12127365000'],
  ])('normalizes the phone %s to %s', async (input, expected) => {
    const res = await create(other, { phone: input });
    const body = (await res.json()) as Json;
    if (res.status === 409) expect((body.error as Json).details).toMatchObject({ field: 'phone' });
    else {
      expect(res.status).toBe(201);
      expect(body.phone).toBe(expected);
    }
    const list = (await (await other.call(`/api/v1/contacts?q=${expected}`)).json()) as { data: Json[] };
    expect(list.data.map((d) => d.phone)).toContain(expected);
  });

  it.each(['garbage', '12', '+57 300', 'call me'])('answers 422 naming the phone for %j', async (phone) => {
    const res = await create(acme, { phone });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_VALUE', details: [{ path: 'phone' }] } });
  });

  it('answers 409 with the existing contact for a duplicate phone or email', async () => {
    const first = (await (await create(acme, { phone: '3022222222', email: 'dup@example.com' })).json()) as Json;
    const samePhone = await create(acme, { phone: '+573022222222' });
    expect(samePhone.status).toBe(409);
    expect(await samePhone.json()).toMatchObject({ error: { code: 'CONFLICT', details: { field: 'phone', existing_id: first.id } } });
    const sameEmail = await create(acme, { phone: '3023333333', email: 'DUP@example.com' });
    expect(sameEmail.status).toBe(409);
    expect(await sameEmail.json()).toMatchObject({ error: { details: { field: 'email', existing_id: first.id } } });
    const second = (await (await create(acme, { phone: '3024444444' })).json()) as Json;
    const put = await acme.call(`/api/v1/contacts/${String(second.id)}`, { method: 'PUT', json: { email: 'dup@example.com' } });
    expect(put.status).toBe(409);
    expect(await put.json()).toMatchObject({ error: { details: { field: 'email', existing_id: first.id } } });
    // Another organization may have the same phone and email.
    expect((await create(other, { phone: '3022222222', email: 'dup@example.com' })).status).toBe(201);
  });

  it('answers 422 for an unknown enum, time zone, locale, email or oversized custom_fields; 400 for a wrong shape', async () => {
    const cases: [unknown, number, string][] = [
      [{ phone: '3005555555', opt_in_status: 'maybe' }, 422, 'opt_in_status'],
      [{ phone: '3005555555', timezone: 'Mars/Olympus' }, 422, 'timezone'],
      [{ phone: '3005555555', email: 'not-an-email' }, 422, 'email'],
      [{ phone: '3005555555', custom_fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 422, 'custom_fields'],
      [{ phone: '3005555555', custom_fields: { big: 'x'.repeat(9000) } }, 422, 'custom_fields'],
      [{ phone: '3005555555', tags: 'vip' }, 400, 'tags'],
      [{ name: 'no phone' }, 400, 'phone'],
      [{ phone: 3005555555 }, 400, 'phone'],
    ];
    for (const [body, status, field] of cases) {
      const res = await create(acme, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const err = ((await res.json()) as { error: { details: { path: string }[] } }).error;
      expect(err.details.map((d) => d.path)).toContain(field);
    }
    expect((await acme.call('/api/v1/contacts?opt_in_status=maybe')).status).toBe(422);
    expect((await acme.call('/api/v1/contacts?limit=0')).status).toBe(400);
    const bad = await acme.call('/api/v1/contacts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"phone":' });
    expect(bad.status).toBe(400);
  });

  it('needs a key (401 through the v1 group)', async () => {
    for (const [method, path] of [['GET', '/api/v1/contacts'], ['POST', '/api/v1/contacts'], ['GET', '/api/v1/contacts/ct_x'], ['PUT', '/api/v1/contacts/ct_x'], ['DELETE', '/api/v1/contacts/ct_x'], ['POST', '/api/v1/contacts/bulk'], ['POST', '/api/v1/imports'], ['GET', '/api/v1/imports/imp_x'], ['PUT', '/api/v1/imports/imp_x']] as const) {
      const res = await h.app.request(path, { method, headers: { 'content-type': 'application/json' }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('hides another organization’s contacts and imports (404, never 403)', async () => {
    const mine = (await (await create(acme, { phone: '3026666666' })).json()) as Json;
    const imp = (await (await acme.call('/api/v1/imports', { method: 'POST', json: { source: 'csv' } })).json()) as Json;
    const id = String(mine.id);
    expect((await other.call(`/api/v1/contacts/${id}`)).status).toBe(404);
    expect((await other.call(`/api/v1/contacts/${id}`, { method: 'PUT', json: { name: 'x' } })).status).toBe(404);
    expect((await other.call(`/api/v1/contacts/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await other.call(`/api/v1/imports/${String(imp.id)}`)).status).toBe(404);
    expect((await other.call(`/api/v1/imports/${String(imp.id)}`, { method: 'PUT', json: { status: 'completed' } })).status).toBe(404);
    expect((await other.call('/api/v1/contacts/bulk', { method: 'POST', json: [{ phone: '3001230000' }], headers: { 'x-import-id': String(imp.id) } })).status).toBe(404);
    expect((await create(other, { phone: '3001230001' }, { 'x-import-id': String(imp.id) })).status).toBe(404);
    const list = (await (await other.call(`/api/v1/contacts?import_id=${String(imp.id)}`)).json()) as Json;
    expect(list.total).toBe(0);
    expect((await acme.call(`/api/v1/contacts/${id}`)).status).toBe(200);
  });
});
