import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, harness, type Harness } from '../contacts/helpers.js';
import { freshPhone } from '../../helpers/business-fixtures.js';

type Org = Awaited<ReturnType<Harness['org']>>;
type Json = Record<string, unknown>;

describe('leads API (/api/v1/leads)', () => {
  let h: Harness;
  let acme: Org;
  let other: Org;

  beforeAll(async () => {
    h = await harness();
    acme = await h.org('Acme');
    other = await h.org('Other');
  });
  afterAll(async () => h.deps.cleanup());

  const json = async (res: Response) => (await res.json()) as Json;
  const contact = async (org: Org, fields: Json = {}) => (await json(await org.call('/api/v1/contacts', { method: 'POST', json: { phone: freshPhone(), name: 'Contacto', ...fields } }))).id as string;
  const lead = async (org: Org, body: Json) => {
    const res = await org.call('/api/v1/leads', { method: 'POST', json: body });
    expect(res.status, await res.clone().text()).toBe(201);
    return json(res);
  };

  it('creates a lead from a contact at stage lead with score 0, and reads it back', async () => {
    const contactId = await contact(acme, { name: 'María Pérez', email: 'maria.leads@example.com' });
    const created = await lead(acme, { contact_id: contactId, source: 'website', deal_value: 10000, expected_close_date: '2025-12-31T00:00:00Z', qualification_data: { company_size: '51-200' }, custom_fields: { product_interest: 'Hogar 500' } });
    expect(created).toMatchObject({
      contact_id: contactId,
      contact: { name: 'María Pérez', email: 'maria.leads@example.com' },
      source: 'website',
      stage: 'lead',
      score: 0,
      qualification_status: null,
      deal_value: 10000,
      expected_close_date: '2025-12-31T00:00:00.000Z',
      qualification_data: { company_size: '51-200' },
      custom_fields: { product_interest: 'Hogar 500' },
      assignee_id: null,
    });
    expect(created.id).toMatch(/^ld_/);
    expect(created.stage_history).toEqual([{ from: null, to: 'lead', reason: null, by: expect.stringMatching(/^api:key_/), at: created.created_at }]);
    expect(await json(await acme.call(`/api/v1/leads/${String(created.id)}`))).toEqual(created);
    // Existence is never leaked to another organization.
    expect((await other.call(`/api/v1/leads/${String(created.id)}`)).status).toBe(404);
  });

  it('refuses an unknown contact (404), a bad body (400) and a second open lead for the same contact and source (409 naming it)', async () => {
    expect((await acme.call('/api/v1/leads', { method: 'POST', json: { contact_id: 'ct_nope' } })).status).toBe(404);
    const foreign = await contact(other);
    expect((await acme.call('/api/v1/leads', { method: 'POST', json: { contact_id: foreign } })).status).toBe(404);
    const missing = await acme.call('/api/v1/leads', { method: 'POST', json: { source: 'web' } });
    expect(missing.status).toBe(400);
    expect(await json(missing)).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    expect((await acme.call('/api/v1/leads', { method: 'POST', json: { contact_id: 'x', deal_value: -5 } })).status).toBe(400);

    const contactId = await contact(acme);
    const first = await lead(acme, { contact_id: contactId });
    expect(first.source).toBe('api');
    const again = await acme.call('/api/v1/leads', { method: 'POST', json: { contact_id: contactId } });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ error: { code: 'CONFLICT', details: { existing_id: first.id } } });
    // Another source is another lead.
    await lead(acme, { contact_id: contactId, source: 'referral' });
  });

  it('keeps every stage change with reason, who and when; a won lead lets a new one start, and cannot be reopened over it', async () => {
    const contactId = await contact(acme);
    const l = await lead(acme, { contact_id: contactId, source: 'event' });
    const path = `/api/v1/leads/${String(l.id)}/stage`;
    const sql = await json(await acme.call(path, { method: 'PUT', json: { stage: 'sql', stage_reason: 'Budget confirmed' } }));
    expect(sql).toMatchObject({ stage: 'sql', stage_reason: 'Budget confirmed' });
    const same = await json(await acme.call(path, { method: 'PUT', json: { stage: 'sql' } }));
    expect(same.stage_history).toHaveLength(2);

    const bad = await acme.call(path, { method: 'PUT', json: { stage: 'won' } });
    expect(bad.status).toBe(422);
    expect(await json(bad)).toMatchObject({ error: { code: 'INVALID_VALUE' } });
    expect((await acme.call(path, { method: 'PUT', json: {} })).status).toBe(400);
    expect((await other.call(path, { method: 'PUT', json: { stage: 'lost' } })).status).toBe(404);

    const won = await json(await acme.call(path, { method: 'PUT', json: { stage: 'customer', stage_reason: 'Signed' } }));
    expect((won.stage_history as Json[]).map((c) => [c.from, c.to, c.reason])).toEqual([
      [null, 'lead', null],
      ['lead', 'sql', 'Budget confirmed'],
      ['sql', 'customer', 'Signed'],
    ]);
    expect(won.stage_changed_at).toBe((won.stage_history as Json[])[2]?.at);

    const next = await lead(acme, { contact_id: contactId, source: 'event' });
    const reopen = await acme.call(path, { method: 'PUT', json: { stage: 'opportunity' } });
    expect(reopen.status).toBe(409);
    expect(await json(reopen)).toMatchObject({ error: { details: { existing_id: next.id } } });
  });

  it('assigns, sets the deal value and merges qualification data', async () => {
    const l = await lead(acme, { contact_id: await contact(acme), qualification_data: { industry: 'retail', budget_confirmed: false } });
    const id = String(l.id);
    expect(await json(await acme.call(`/api/v1/leads/${id}/assign/rep-5`, { method: 'PUT' }))).toMatchObject({ assignee_id: 'rep-5', assigned_at: expect.any(String) });
    expect(await json(await acme.call(`/api/v1/leads/${id}/deal-value`, { method: 'PUT', json: { deal_value: 15000.5 } }))).toMatchObject({ deal_value: 15000.5 });
    expect((await acme.call(`/api/v1/leads/${id}/deal-value`, { method: 'PUT', json: { deal_value: 'mucho' } })).status).toBe(400);
    const patched = await json(await acme.call(`/api/v1/leads/${id}`, { method: 'PATCH', json: { qualification_data: { budget_confirmed: true, industry: null, company_size: '11-50' } } }));
    expect(patched.qualification_data).toEqual({ budget_confirmed: true, company_size: '11-50' });
    expect((await other.call(`/api/v1/leads/${id}/assign/rep-9`, { method: 'PUT' })).status).toBe(404);
  });

  it('scores: manual score and workflow answers make the combined score, explained by /scores; qualify applies the threshold and promotes to mql', async () => {
    const l = await lead(acme, { contact_id: await contact(acme), qualification_data: { budget_confirmed: true, timeline_defined: true, decision_maker_involved: false } });
    const id = String(l.id);
    // Workflow only: 15 + 15 + 0 answered true, 100 % answered → 30 + 50 = 80 → qualified, lead → mql.
    const qualified = await json(await acme.call(`/api/v1/leads/${id}/qualify`, { method: 'POST' }));
    expect(qualified).toMatchObject({ score: 80, qualification_status: 'qualified', stage: 'mql' });
    expect((qualified.stage_history as Json[]).at(-1)).toMatchObject({ from: 'lead', to: 'mql', by: 'scoring' });

    // Manual 20 joins with weight 15 against workflow's 20: (80·20 + 20·15) / 35 = 54.3 → 54.
    const manual = await json(await acme.call(`/api/v1/leads/${id}/score`, { method: 'POST', json: { score_value: 20, reason: 'Solo está comparando precios' } }));
    expect(manual).toMatchObject({ score: 54, qualification_status: 'unqualified', stage: 'mql' });
    const scores = await json(await acme.call(`/api/v1/leads/${id}/scores`));
    expect(scores).toMatchObject({
      lead_id: id,
      latest_combined_score: 54,
      qualification_status: 'unqualified',
      scores_by_type: {
        workflow: { latest_score: 80, factors: { completion_percentage: 100, answered_questions: 3 } },
        manual: { latest_score: 20, reason: 'Solo está comparando precios', set_by: expect.stringMatching(/^api:/) },
        combined: { latest_score: 54 },
      },
    });
    expect(Object.keys(scores.scores_by_type as Json).sort()).toEqual(['combined', 'manual', 'workflow']);
    // A lower threshold qualifies the same score for this call.
    expect(await json(await acme.call(`/api/v1/leads/${id}/qualify?min_score_threshold=50`, { method: 'POST' }))).toMatchObject({ score: 54, qualification_status: 'qualified' });
    expect((await acme.call(`/api/v1/leads/${id}/qualify?min_score_threshold=101`, { method: 'POST' })).status).toBe(400);
    expect((await acme.call(`/api/v1/leads/${id}/score`, { method: 'POST', json: { score_value: 120, reason: 'x' } })).status).toBe(400);
    expect((await acme.call(`/api/v1/leads/${id}/score`, { method: 'POST', json: { score_value: 50 } })).status).toBe(400);
    expect((await other.call(`/api/v1/leads/${id}/scores`)).status).toBe(404);
  });

  it('applies the organization’s demographic rules and weights', async () => {
    const org = await h.org('Rules');
    expect(await json(await org.call('/api/v1/scoring/rules'))).toMatchObject({ demographic_rules: [], weights: { ai_intent: 25, engagement: 25, demographic: 15, workflow: 20, manual: 15 }, updated_at: null });
    const put = await org.call('/api/v1/scoring/rules', {
      method: 'PUT',
      json: { demographic_rules: [{ field: 'qualification_data.company_size', points: { '51-200': 60 } }, { field: 'qualification_data.industry', points: { technology: 90 } }], weights: { ai_intent: 0, engagement: 0, demographic: 50, workflow: 50, manual: 0 } },
    });
    expect(put.status).toBe(200);
    const l = await lead(org, { contact_id: await contact(org), qualification_data: { company_size: '51-200', industry: 'Technology' } });
    // Demographic (60 + 90) / 2 = 75; no workflow answers: the demographic score alone.
    const scored = await json(await org.call(`/api/v1/leads/${String(l.id)}/qualify`, { method: 'POST' }));
    expect(scored).toMatchObject({ score: 75, stage: 'mql' });
    const breakdown = await json(await org.call(`/api/v1/leads/${String(l.id)}/scores`));
    expect(breakdown).toMatchObject({ scores_by_type: { demographic: { latest_score: 75, factors: { demographics: { 'qualification_data.company_size': { value: '51-200', points: 60 } } } } } });

    expect((await org.call('/api/v1/scoring/rules', { method: 'PUT', json: { demographic_rules: [{ field: 'password', points: { a: 1 } }] } })).status).toBeGreaterThanOrEqual(400);
    expect((await org.call('/api/v1/scoring/rules', { method: 'PUT', json: { demographic_rules: [], weights: { ai_intent: 0, engagement: 0, demographic: 0, workflow: 0, manual: 0 } } })).status).toBe(400);
    // The other organization still has the defaults.
    expect(await json(await acme.call('/api/v1/scoring/rules'))).toMatchObject({ demographic_rules: [] });
  });

  it('searches by text (name, email, phone; accents and case ignored), stage, score range, assignee and qualification, newest first', async () => {
    const org = await h.org('Search');
    const ana = await contact(org, { name: 'Ána Gómez', email: 'ana@search.test', phone: '3105550101' });
    const beto = await contact(org, { name: 'Beto Ruiz', email: 'beto@search.test' });
    const a = await lead(org, { contact_id: ana, qualification_data: { budget_confirmed: true, timeline_defined: true, decision_maker_involved: true } });
    const b = await lead(org, { contact_id: beto });
    await org.call(`/api/v1/leads/${String(a.id)}/qualify`, { method: 'POST' });
    await org.call(`/api/v1/leads/${String(b.id)}/assign/rep-1`, { method: 'PUT' });
    const ids = async (qs: string) => ((await json(await org.call(`/api/v1/leads/search${qs}`))).data as Json[]).map((l) => l.id);

    expect(await ids('')).toEqual([b.id, a.id]);
    expect(await ids('?query=ANA')).toEqual([a.id]);
    expect(await ids('?query=g%C3%B3mez')).toEqual([a.id]);
    expect(await ids('?query=5550101')).toEqual([a.id]);
    expect(await ids('?query=beto%40search')).toEqual([b.id]);
    expect(await ids('?query=.*')).toEqual([]);
    expect(await ids('?stage=mql')).toEqual([a.id]);
    expect(await ids('?min_score=90')).toEqual([a.id]);
    expect(await ids('?max_score=10')).toEqual([b.id]);
    expect(await ids('?assignee_id=rep-1')).toEqual([b.id]);
    expect(await ids('?qualification_status=qualified')).toEqual([a.id]);
    expect(await json(await org.call('/api/v1/leads/search?limit=1&skip=1'))).toMatchObject({ total: 2, skip: 1, limit: 1, data: [{ id: a.id }] });
    expect((await org.call('/api/v1/leads/search?stage=won')).status).toBe(422);
    expect((await org.call('/api/v1/leads/search?qualification_status=maybe')).status).toBe(422);
    expect((await org.call('/api/v1/leads/search?min_score=abc')).status).toBe(400);
    expect((await org.call('/api/v1/leads/search?limit=501')).status).toBe(400);

    // The contact's new name is what search finds from now on.
    await org.call(`/api/v1/contacts/${beto}`, { method: 'PUT', json: { name: 'Roberto Ruiz' } });
    expect(await ids('?query=roberto')).toEqual([b.id]);
    expect(await json(await org.call(`/api/v1/leads/${String(b.id)}`))).toMatchObject({ contact: { name: 'Roberto Ruiz' } });
  });

  it('counts the pipeline in /stats', async () => {
    const org = await h.org('Stats');
    const mk = async (body: Json = {}) => lead(org, { contact_id: await contact(org), ...body });
    const a = await mk({ deal_value: 1000, qualification_data: { budget_confirmed: true, timeline_defined: true, decision_maker_involved: true } });
    const b = await mk({ deal_value: 500 });
    const c = await mk({ deal_value: 250 });
    await mk();
    await org.call(`/api/v1/leads/${String(a.id)}/qualify`, { method: 'POST' }); // 100 → qualified, mql
    await org.call(`/api/v1/leads/${String(b.id)}/score`, { method: 'POST', json: { score_value: 10, reason: 'frío' } }); // 10 → disqualified
    await org.call(`/api/v1/leads/${String(c.id)}/stage`, { method: 'PUT', json: { stage: 'customer' } });
    expect(await json(await org.call('/api/v1/leads/stats'))).toEqual({
      total_leads: 4,
      lead_count: 2,
      mql_count: 1,
      sql_count: 0,
      opportunity_count: 0,
      customer_count: 1,
      lost_count: 0,
      avg_score: 27.5,
      total_pipeline_value: 1500,
      won_value: 250,
      qualified_count: 1,
      unqualified_count: 0,
      disqualified_count: 1,
      unscored_count: 2,
    });
    expect(await json(await other.call('/api/v1/leads/stats'))).toMatchObject({ total_leads: 0 });
  });

  it('deletes a contact’s leads with the contact', async () => {
    const contactId = await contact(acme);
    const l = await lead(acme, { contact_id: contactId });
    expect((await acme.call(`/api/v1/contacts/${contactId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await acme.call(`/api/v1/leads/${String(l.id)}`)).status).toBe(404);
  });

  it('asks for a key with the right scope', async () => {
    expect((await h.app.request('/api/v1/leads/stats')).status).toBe(401);
    const { key } = (await (
      await h.app.request(`/api/v1/admin/orgs/${acme.orgId}/api-keys`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ro', scopes: ['read'] }) })
    ).json()) as { key: string };
    expect((await h.app.request('/api/v1/leads/stats', { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await h.app.request('/api/v1/leads', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"contact_id":"x"}' })).status).toBe(403);
  });
});
