import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, json, type Harness, type Json, type Org } from './helpers.js';

/**
 * Targeting (seed 003's Target Criteria): each criterion on its own and combined, through the
 * preview (GET /targeted-contacts) and enroll-from-criteria, over six contacts:
 *
 * | contact | tags          | consent    | dnc | leads (source, stage, score; closed marked)      |
 * | A       | vip, bogota   | opted_in   |     | web sql 80                                        |
 * | B       | vip           | opted_in   |     | web mql 50                                        |
 * | C       | vip, bogota   | opted_out  |     | feria sql 90                                      |
 * | D       | bogota        | unknown    | yes | web sql 70                                        |
 * | E       | —             | opted_in   |     | none                                              |
 * | F       | vip, bogota   | opted_in   |     | web customer 95 (closed), feria lead 10           |
 */
describe('campaign targeting', () => {
  let h: Harness;
  let org: Org;
  const ids: Record<string, string> = {};
  /** The contacts in the organization's order (created_at, id): what targeting must follow. */
  let order: string[] = [];

  beforeAll(async () => {
    h = await harness();
    org = await h.org('Targeting');
    const leads = h.deps.mongo.connection.collection('leads');
    const lead = async (contactId: string, source: string, stage: string, score: number) => {
      const created = await json(await org.call('/api/v1/leads', { method: 'POST', json: { contact_id: contactId, source } }));
      if (stage !== 'lead') expect((await org.call(`/api/v1/leads/${String(created.id)}/stage`, { method: 'PUT', json: { stage } })).status).toBe(200);
      await leads.updateOne({ _id: created.id as never }, { $set: { score } });
    };
    ids.A = await org.contact({ name: 'A', tags: ['VIP', 'Bogota'], opt_in_status: 'opted_in' });
    ids.B = await org.contact({ name: 'B', tags: ['vip'], opt_in_status: 'opted_in' });
    ids.C = await org.contact({ name: 'C', tags: ['vip', 'bogota'], opt_in_status: 'opted_out' });
    ids.D = await org.contact({ name: 'D', tags: ['bogota'], do_not_contact: true });
    ids.E = await org.contact({ name: 'E', opt_in_status: 'opted_in' });
    ids.F = await org.contact({ name: 'F', tags: ['vip', 'bogota'], opt_in_status: 'opted_in' });
    await lead(ids.A!, 'web', 'sql', 80);
    await lead(ids.B!, 'web', 'mql', 50);
    await lead(ids.C!, 'feria', 'sql', 90);
    await lead(ids.D!, 'web', 'sql', 70);
    await lead(ids.F!, 'web', 'customer', 95);
    await lead(ids.F!, 'feria', 'lead', 10);
    // Another organization's contact matching everything never shows up.
    const other = await h.org('Other');
    await other.contact({ tags: ['vip', 'bogota'], opt_in_status: 'opted_in' });
    order = ((await json(await org.call('/api/v1/contacts?limit=500'))).data as Json[]).map((c) => String(c.id));
  });
  afterAll(async () => h.deps.cleanup());

  const names = (contactIds: string[]) => contactIds.map((id) => Object.keys(ids).find((k) => ids[k] === id) ?? id);
  /** The expected names in the organization's contact order. */
  const inOrder = (expected: string) => names(order).filter((n) => expected.split('').includes(n));
  const campaign = async (criteria: Json) => {
    const res = await org.call('/api/v1/campaigns', { method: 'POST', json: { name: 'Segmento', target_criteria: criteria } });
    expect(res.status, await res.clone().text()).toBe(201);
    return String((await json(res)).id);
  };
  const preview = async (id: string, query = 'limit=500') => json(await org.call(`/api/v1/campaigns/${id}/targeted-contacts?${query}`));
  const targeted = async (id: string) => names(((await preview(id)).data as Json[]).map((c) => String(c.id)));

  const table: [string, Json, string][] = [
    ['no criteria: everyone but do-not-contact (contacts without leads too)', {}, 'ABCEF'],
    ['do-not-contact included when asked', { exclude_do_not_contact: false }, 'ABCDEF'],
    ['one tag', { tags: ['VIP'] }, 'ABCF'],
    ['all the tags listed', { tags: ['vip', 'bogota'] }, 'ACF'],
    ['one consent status', { opt_in_status: 'opted_in' }, 'ABEF'],
    ['consent statuses', { opt_in_status: ['opted_in', 'opted_out'] }, 'ABCEF'],
    ['lead stage', { lead_stages: ['sql'] }, 'AC'],
    ['lifecycle stages (a lead’s stage)', { lifecycle_stages: ['mql', 'sql'] }, 'ABC'],
    ['lifecycle and lead stages: both must hold', { lifecycle_stages: ['mql', 'sql'], lead_stages: ['sql'] }, 'AC'],
    ['lifecycle and lead stages without a common stage: nobody', { lifecycle_stages: ['mql'], lead_stages: ['sql'] }, ''],
    ['closed leads do not count', { lifecycle_stages: ['customer'] }, ''],
    ['minimum score', { min_lead_score: 60 }, 'AC'],
    ['maximum score (any open lead)', { max_lead_score: 50 }, 'BF'],
    ['score range', { min_lead_score: 40, max_lead_score: 85 }, 'AB'],
    ['lead source', { lead_sources: ['feria'] }, 'CF'],
    ['combined', { tags: ['vip'], opt_in_status: 'opted_in', lead_stages: ['sql', 'mql'], min_lead_score: 40, lead_sources: ['web'] }, 'AB'],
    ['combined, narrower', { tags: ['vip'], opt_in_status: 'opted_in', lead_stages: ['sql', 'mql'], min_lead_score: 40, max_lead_score: 60, lead_sources: ['web'] }, 'B'],
    ['one lead must match every lead condition', { lead_sources: ['feria'], min_lead_score: 50 }, 'C'],
  ];

  for (const [what, criteria, expected] of table) {
    it(`${what}: ${expected || 'nobody'}`, async () => {
      const id = await campaign(criteria);
      const page = await preview(id);
      expect(names((page.data as Json[]).map((c) => String(c.id)))).toEqual(inOrder(expected));
      expect(page.total).toBe(expected.length);
      const enrolled = await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }));
      expect(enrolled.enrolled_count).toBe(expected.length);
      expect(names((enrolled.enrollments as Json[]).map((e) => String(e.contact_id)))).toEqual(inOrder(expected));
      expect((enrolled.enrollments as Json[]).every((e) => e.source === 'criteria' && e.status === 'pending')).toBe(true);
      // Enrolled now: excluded from the preview and from a second run.
      expect((await preview(id)).total).toBe(0);
      expect(await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }))).toMatchObject({ enrolled_count: 0, already_enrolled_count: 0 });
    });
  }

  it('the preview is a page of the list envelope and enrolls nobody', async () => {
    const id = await campaign({});
    const page = await preview(id, 'skip=1&limit=2');
    expect(page).toMatchObject({ total: 5, skip: 1, limit: 2 });
    expect(names((page.data as Json[]).map((c) => String(c.id)))).toEqual(inOrder('ABCEF').slice(1, 3));
    expect((page.data as Json[])[0]).toMatchObject({ phone: expect.any(String), tags: expect.any(Array) });
    expect((await json(await org.call(`/api/v1/campaigns/${id}/contacts`))).total).toBe(0);
    expect((await preview(id, 'limit=0')).error).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('exclude_already_enrolled: on (default) leaves this campaign’s enrolled out; off lists them and reports them as already enrolled', async () => {
    const id = await campaign({ tags: ['vip'] });
    await org.call(`/api/v1/campaigns/${id}/enroll`, { method: 'POST', json: { contact_ids: [ids.A, ids.C] } });
    expect(await targeted(id)).toEqual(inOrder('BF'));
    // Another campaign's enrollments do not matter.
    expect(await targeted(await campaign({ tags: ['vip'] }))).toEqual(inOrder('ABCF'));

    await org.call(`/api/v1/campaigns/${id}`, { method: 'PATCH', json: { target_criteria: { exclude_already_enrolled: false } } });
    expect(await targeted(id)).toEqual(inOrder('ABCF'));
    const run = await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }));
    expect(run).toMatchObject({ enrolled_count: 2, already_enrolled_count: 2 });
    expect(names(run.already_enrolled as string[])).toEqual(inOrder('AC'));
  });

  it('max_contacts caps what the criteria bring in, in order, across runs', async () => {
    const id = await campaign({ max_contacts: 2 });
    expect(await targeted(id)).toEqual(inOrder('ABCEF').slice(0, 2));
    const first = await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }));
    expect(first.enrolled_count).toBe(2);
    expect((await preview(id)).total).toBe(0);
    expect((await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }))).enrolled_count).toBe(0);
    // More room: the next ones in order.
    await org.call(`/api/v1/campaigns/${id}`, { method: 'PATCH', json: { target_criteria: { max_contacts: 3 } } });
    expect(await targeted(id)).toEqual(inOrder('ABCEF').slice(2, 3));
    // Enrolled by id, a contact takes room too.
    const other = await campaign({ max_contacts: 2 });
    expect((await org.call(`/api/v1/campaigns/${other}/enroll`, { method: 'POST', json: { contact_ids: [ids.E] } })).status).toBe(201);
    expect(await targeted(other)).toEqual(inOrder('ABCF').slice(0, 1));
    // Without the exclusion, max_contacts cuts the targeted list, enrolled ones included.
    await org.call(`/api/v1/campaigns/${id}`, { method: 'PATCH', json: { target_criteria: { exclude_already_enrolled: false, max_contacts: 4 } } });
    expect(await targeted(id)).toEqual(inOrder('ABCEF').slice(0, 4));
    expect(await json(await org.call(`/api/v1/campaigns/${id}/enroll-from-criteria`, { method: 'POST' }))).toMatchObject({ enrolled_count: 2, already_enrolled_count: 2 });
  });
});
