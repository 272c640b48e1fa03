import { describe, expect, it } from 'vitest';
import {
  DEMOGRAPHIC_FIELD_PATTERN,
  demographicScore,
  type DemographicRule,
  type DemographicSubject,
} from '../../../../src/leads/scoring/index.js';

const SIZE: DemographicRule = { field: 'qualification_data.company_size', points: { '1-10': 20, '11-50': 40, '51-200': 60, '201+': 80 } };
const INDUSTRY: DemographicRule = { field: 'custom_fields.industry', points: { Technology: 90, retail: 50 } };
const TAGS: DemographicRule = { field: 'contact.tags', points: { vip: 100, empresa: 70 }, default_points: 10 };
const ROLE: DemographicRule = { field: 'contact.custom_fields.role', points: { gerente: 80, ceo: 100 } };
const EMPLOYEES: DemographicRule = { field: 'qualification_data.employees', points: { '51': 30 } };
const RUT: DemographicRule = { field: 'qualification_data.has_rut', points: { true: 40, false: 0 } };
const LOCALE: DemographicRule = { field: 'contact.locale', points: { 'es-CO': 50 }, default_points: 20 };
const SEGMENT: DemographicRule = { field: 'custom_fields.segment', points: { pyme: 45 } };
const COMPANY: DemographicRule = { field: 'contact.company', points: { 'acme s.a.s.': 150 } };

interface Parts {
  qd?: Record<string, unknown>;
  cf?: Record<string, unknown>;
  contact?: DemographicSubject['contact'];
}
const subject = (p: Parts): DemographicSubject => ({ qualification_data: p.qd ?? {}, custom_fields: p.cf ?? {}, contact: p.contact ?? {} });

describe('demographic score', () => {
  // Expected: the plain average of the points of the rules that apply, computed by hand.
  const rows: Array<{ name: string; rules: DemographicRule[]; in: Parts; score: number | null; demographics?: Record<string, unknown> }> = [
    {
      name: 'the seed example: (60 + 90) / 2',
      rules: [SIZE, INDUSTRY],
      in: { qd: { company_size: '51-200' }, cf: { industry: ' TECHNOLOGY ' } },
      score: 75,
      demographics: { 'qualification_data.company_size': { value: '51-200', points: 60 }, 'custom_fields.industry': { value: 'technology', points: 90 } },
    },
    { name: 'no rule applies', rules: [SIZE, INDUSTRY], in: {}, score: null },
    { name: 'no rules', rules: [], in: { qd: { company_size: '51-200' } }, score: null },
    { name: 'an unlisted value without default is skipped, not 0', rules: [SIZE, INDUSTRY], in: { qd: { company_size: '5000' }, cf: { industry: 'retail' } }, score: 50, demographics: { 'custom_fields.industry': { value: 'retail', points: 50 } } },
    { name: 'null and empty values are skipped', rules: [SIZE, INDUSTRY], in: { qd: { company_size: null }, cf: { industry: '   ' } }, score: null },
    { name: 'tags: the best-scoring element counts', rules: [TAGS], in: { contact: { tags: ['empresa', 'VIP', 'nuevo'] } }, score: 100, demographics: { 'contact.tags': { value: 'vip', points: 100 } } },
    { name: 'tags: no listed element → default_points', rules: [TAGS], in: { contact: { tags: ['nuevo', 'Bogotá'] } }, score: 10, demographics: { 'contact.tags': { value: ['nuevo', 'bogotá'], points: 10, default: true } } },
    { name: 'tags: an empty list has no value', rules: [TAGS], in: { contact: { tags: [] } }, score: null },
    { name: 'numbers and booleans as JSON text: (30 + 40) / 2', rules: [EMPLOYEES, RUT], in: { qd: { employees: 51, has_rut: true } }, score: 35 },
    { name: 'a rule worth 0 applies and pulls the average: (0 + 80) / 2', rules: [RUT, SIZE], in: { qd: { has_rut: false, company_size: '201+' } }, score: 40 },
    { name: 'rounding: (20 + 100 + 50) / 3 = 56.67', rules: [SIZE, ROLE, INDUSTRY], in: { qd: { company_size: '1-10' }, cf: { industry: 'Retail' }, contact: { custom_fields: { role: 'CEO' } } }, score: 57 },
    { name: 'a half rounds up: (40 + 45) / 2 = 42.5', rules: [SIZE, SEGMENT], in: { qd: { company_size: '11-50' }, cf: { segment: 'PYME' } }, score: 43 },
    { name: 'rule keys are compared lowercase: es-CO', rules: [LOCALE], in: { contact: { locale: 'ES-co' } }, score: 50 },
    { name: 'locale not listed → default', rules: [LOCALE], in: { contact: { locale: 'en-US' } }, score: 20, demographics: { 'contact.locale': { value: 'en-us', points: 20, default: true } } },
    { name: 'points over 100 are clamped', rules: [COMPANY], in: { contact: { company: 'ACME S.A.S.' } }, score: 100 },
    { name: 'the lead\'s and the contact\'s custom fields are different fields', rules: [ROLE], in: { cf: { role: 'ceo' } }, score: null },
    { name: 'objects are no value', rules: [INDUSTRY], in: { cf: { industry: { name: 'technology' } } }, score: null },
    { name: 'inherited properties are no value', rules: [{ field: 'qualification_data.constructor', points: {}, default_points: 99 }], in: {}, score: null },
  ];

  it.each(rows)('$name → $score', (row) => {
    const result = demographicScore(row.rules, subject(row.in));
    if (row.score === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result?.type).toBe('demographic');
    expect(result?.score).toBe(row.score);
    if (row.demographics) expect(result?.factors).toEqual({ demographics: row.demographics });
  });

  it('says which rules made the average', () => {
    expect(demographicScore([SIZE, INDUSTRY, TAGS], subject({ qd: { company_size: '51-200' }, cf: { industry: 'technology' }, contact: { tags: ['nuevo'] } }))?.reason).toBe(
      'Average of 3 demographic rules: company_size 51-200 (60), industry technology (90) and tags nuevo (10, default)',
    );
  });

  const fields: Array<{ field: string; ok: boolean }> = [
    { field: 'qualification_data.company_size', ok: true },
    { field: 'custom_fields.industry', ok: true },
    { field: 'custom_fields.A-b_9', ok: true },
    { field: `custom_fields.${'a'.repeat(64)}`, ok: true },
    { field: 'contact.company', ok: true },
    { field: 'contact.tags', ok: true },
    { field: 'contact.locale', ok: true },
    { field: 'contact.custom_fields.role', ok: true },
    { field: `custom_fields.${'a'.repeat(65)}`, ok: false },
    { field: 'qualification_data', ok: false },
    { field: 'qualification_data.', ok: false },
    { field: 'custom_fields.a.b', ok: false },
    { field: 'custom_fields.a b', ok: false },
    { field: 'custom_fields.año', ok: false },
    { field: 'contact.custom_fields', ok: false },
    { field: 'contact.name', ok: false },
    { field: 'contact.phone', ok: false },
    { field: 'contact.tags.0', ok: false },
    { field: 'Contact.company', ok: false },
    { field: ' contact.company', ok: false },
    { field: 'contact.company\n', ok: false },
    { field: 'lead.company', ok: false },
  ];

  it.each(fields)('field path $field → $ok', ({ field, ok }) => {
    expect(DEMOGRAPHIC_FIELD_PATTERN.test(field)).toBe(ok);
  });
});
