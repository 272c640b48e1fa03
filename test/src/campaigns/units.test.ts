import { describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, hasLeadConditions, mergeCriteria, mergeSettings, DEFAULT_SETTINGS } from '../../../src/campaigns/criteria.js';
import { actionRefusal, editRefusal } from '../../../src/campaigns/lifecycle.js';
import { parameterProblems, renderParameters, tokensIn, tokenValue, toParameter } from '../../../src/campaigns/personalization.js';
import { allowedStages, contactFilter, leadFilter } from '../../../src/campaigns/targeting.js';
import { createTemplateCatalog, describeTemplate, placeholdersIn } from '../../../src/campaigns/templates.js';
import { AppError } from '../../../src/platform/http/errors.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import type { GraphTemplate } from '../../../src/whatsapp/graph-client.js';
import { GraphNetworkError } from '../../../src/whatsapp/graph-errors.js';

describe('personalization tokens', () => {
  const contact = { name: 'María José Pérez', email: 'maria@ejemplo.co', company: 'Acme SAS', custom_fields: { plan: 'Hogar 500', cuota: 89900, vacio: '' } };

  it('reads each token from the contact and its lead; first_name falls back to the first word of the name, then of the WhatsApp profile name', () => {
    const subject = { contact, lead: { deal_value: 120000, score: 72 } };
    expect(['first_name', 'name', 'email', 'company', 'deal_value', 'score', 'custom.plan', 'custom.cuota', 'custom.falta'].map((t) => tokenValue(t, subject))).toEqual(['María', 'María José Pérez', 'maria@ejemplo.co', 'Acme SAS', '120000', '72', 'Hogar 500', '89900', '']);
    expect(tokenValue('first_name', { contact: { ...contact, first_name: 'Majo' } })).toBe('Majo');
    expect(tokenValue('first_name', { contact: { whatsapp_profile_name: 'Lau G' } })).toBe('Lau');
    expect(tokenValue('name', { contact: { whatsapp_profile_name: 'Lau G' } })).toBe('Lau G');
    expect(tokenValue('deal_value', { contact, lead: null })).toBe('');
  });

  it('renders literals, tokens and text with tokens; an empty token takes the fallback; without one the recipient is reported', () => {
    const params = [toParameter('Hola'), toParameter({ value: '{{first_name}}', fallback: 'cliente' }), toParameter('{{custom.plan}} para {{company}}'), toParameter({ value: '{{custom.vacio}}', fallback: 'tu plan' })];
    expect(renderParameters(params, { contact })).toEqual({ ok: true, values: ['Hola', 'María', 'Hogar 500 para Acme SAS', 'tu plan'] });
    expect(renderParameters(params, { contact: { custom_fields: { plan: 'X' } } })).toEqual({ ok: false, missing: ['company'] });
    expect(renderParameters([toParameter({ value: '{{first_name}}', fallback: 'cliente' })], { contact: {} })).toEqual({ ok: true, values: ['cliente'] });
    // Contact data never brings newlines into a parameter (WhatsApp refuses them).
    expect(renderParameters([toParameter('{{name}}')], { contact: { name: 'Ana\nMaría' } })).toEqual({ ok: true, values: ['Ana María'] });
  });

  it('finds unknown tokens, tokens in fallbacks and what WhatsApp refuses', () => {
    expect(tokensIn('{{ first_name }} y {{custom.plan}}')).toEqual(['first_name', 'custom.plan']);
    expect(parameterProblems(toParameter('{{first_name}} {{custom.plan_hogar}}'), 'p.0')).toEqual([]);
    expect(parameterProblems(toParameter('{{apellido}}'), 'p.0').map((p) => p.path)).toEqual(['p.0.value']);
    expect(parameterProblems(toParameter('{{custom.}}'), 'p.0')).toHaveLength(1);
    expect(parameterProblems(toParameter({ value: 'a', fallback: '{{name}}' }), 'p.1').map((p) => p.path)).toEqual(['p.1.fallback']);
    expect(parameterProblems(toParameter('a\tb'), 'p.0')).toHaveLength(1);
    expect(parameterProblems(toParameter('a     b'), 'p.0')).toHaveLength(1);
    expect(parameterProblems(toParameter('a    b'), 'p.0')).toEqual([]);
    expect(parameterProblems(toParameter('  '), 'p.0')).toHaveLength(1);
  });
});

describe('campaign status rules', () => {
  it('start from draft, pause from active, resume from paused; archived takes nothing', () => {
    const allowed = (['draft', 'active', 'paused', 'completed', 'archived'] as const).map((s) => (['start', 'pause', 'resume', 'archive'] as const).filter((a) => actionRefusal(a, s) === null));
    expect(allowed).toEqual([['start', 'archive'], ['pause', 'archive'], ['resume', 'archive'], ['archive'], []]);
    expect(editRefusal('completed', 'fields')).toBeNull();
    expect(editRefusal('completed', 'enrollments')).toMatch(/completed/);
    expect(editRefusal('archived', 'fields')).toMatch(/archived/);
    expect(editRefusal('active', 'messages')).toBeNull();
  });
});

describe('criteria', () => {
  it('merges key by key (null back to the default) and normalizes', () => {
    const base = mergeCriteria(DEFAULT_CRITERIA, { tags: [' VIP ', 'vip', 'Bogotá'], lead_sources: [' web ', 'web'], min_lead_score: 10, exclude_already_enrolled: false });
    expect(base).toMatchObject({ tags: ['vip', 'bogotá'], lead_sources: ['web'], min_lead_score: 10, exclude_already_enrolled: false, exclude_do_not_contact: true });
    expect(mergeCriteria(base, { min_lead_score: null, exclude_already_enrolled: null, max_contacts: 5 })).toMatchObject({ tags: ['vip', 'bogotá'], min_lead_score: null, exclude_already_enrolled: true, max_contacts: 5 });
    expect(() => mergeCriteria(base, { max_lead_score: 5 })).toThrow(AppError);
    expect(hasLeadConditions(DEFAULT_CRITERIA)).toBe(false);
    expect(hasLeadConditions({ ...DEFAULT_CRITERIA, max_lead_score: 0 })).toBe(true);
    expect(mergeSettings(DEFAULT_SETTINGS, { frequency_cap: '2_per_week' })).toEqual({ send_time_optimization: false, frequency_cap: '2_per_week' });
  });

  it('becomes one contacts filter and one open-lead filter', () => {
    const c = { ...DEFAULT_CRITERIA, tags: ['vip'], opt_in_status: ['opted_in'], lifecycle_stages: ['mql', 'sql'], lead_stages: ['sql', 'customer'], min_lead_score: 40, lead_sources: ['web'] };
    expect(contactFilter('org', c)).toEqual({ org_id: 'org', tags: { $all: ['vip'] }, opt_in_status: { $in: ['opted_in'] }, do_not_contact: { $ne: true } });
    expect(allowedStages(c)).toEqual(['sql']);
    expect(allowedStages(DEFAULT_CRITERIA)).toBeUndefined();
    expect(leadFilter('org', c, ['ct_1'])).toEqual({ org_id: 'org', contact_id: { $in: ['ct_1'] }, open: true, stage: { $in: ['sql'] }, score: { $gte: 40 }, source: { $in: ['web'] } });
  });
});

describe('templates', () => {
  const t = (components: GraphTemplate['components']): GraphTemplate => ({ id: '1', name: 'n', language: 'es', category: 'MARKETING', status: 'APPROVED', components });

  it('counts distinct placeholders per component, named or positional', () => {
    expect(placeholdersIn('{{1}} {{2}} {{1}} {{ 3 }}')).toEqual(['1', '2', '3']);
    expect(describeTemplate(t([{ type: 'BODY', text: 'Hola {{nombre}}, {{plan}}' }]))).toMatchObject({ parameter_format: 'NAMED', body_parameter_count: 2 });
    expect(describeTemplate(t([{ type: 'header', format: 'video' }, { type: 'BODY', text: 'Sin variables' }]))).toMatchObject({ header_media_format: 'VIDEO', header_parameter_count: 0, body_parameter_count: 0, parameter_format: 'POSITIONAL' });
    expect(describeTemplate(t([{ type: 'BODY' }]))).toMatchObject({ body_parameter_count: 0 });
  });

  it('the catalog keeps a read for its TTL, shares concurrent reads, and does not keep a failure', async () => {
    let calls = 0;
    let fail = false;
    let clock = 0;
    const graph = {
      listTemplates: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new GraphNetworkError('down', { timedOut: false });
        return [t([{ type: 'BODY', text: '{{1}}' }])];
      },
    };
    const catalog = createTemplateCatalog({ graph, wabaId: '1', logger: createLogger({ level: 'silent' }), ttlMs: 1000, now: () => clock });
    const [a, b] = await Promise.all([catalog.list(), catalog.list()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    clock = 999;
    await catalog.list();
    expect(calls).toBe(1);
    clock = 1000;
    fail = true;
    await expect(catalog.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    fail = false;
    expect(await catalog.list()).toHaveLength(1);
    expect(calls).toBe(3);
    const unset = createTemplateCatalog({ graph, wabaId: undefined, logger: createLogger({ level: 'silent' }) });
    expect(unset.configured).toBe(false);
    await expect(unset.list()).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
  });
});
