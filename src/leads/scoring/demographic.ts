/**
 * The demographic component: an organization's rules (company size, industry, role, … as the
 * organization keeps them) applied to the lead. Each rule gives the points of the lead's value of
 * its field; the score is the average of the points of the rules that apply, so two rules worth
 * 60 and 90 give 75. A rule applies when the field has a value and that value is listed in
 * `points`, or is not listed but the rule has `default_points`; a field without a value (absent,
 * null, empty string, empty list, an object) never applies. Rules that do not apply do not pull
 * the average down; when none applies there is no demographic score (null).
 *
 * Values and the keys of `points` are compared as lowercase trimmed strings (numbers and booleans
 * as their JSON text: 51 → "51", true → "true"). For a list (contact.tags) every element is
 * looked up and the best-scoring one counts. Points are clamped to 0–100. Two keys of `points` that
 * are equal after lowercasing and trimming keep the higher points.
 */
import { listJoin, toScore } from './math.js';
import type { ComponentScore, DemographicRule, DemographicSubject } from './types.js';

const KEY = '[A-Za-z0-9_-]{1,64}';

/** The field paths a rule may use. */
export const DEMOGRAPHIC_FIELD_PATTERN = new RegExp(
  `^(?:(?:qualification_data|custom_fields|contact\\.custom_fields)\\.${KEY}|contact\\.(?:company|tags|locale))$`,
);

/** The value at `field` of `subject`, or undefined for an unknown path. */
export function fieldValue(subject: DemographicSubject, field: string): unknown {
  if (!DEMOGRAPHIC_FIELD_PATTERN.test(field)) return undefined;
  const own = (record: Record<string, unknown> | undefined, key: string): unknown =>
    record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
  if (field.startsWith('qualification_data.')) return own(subject.qualification_data, field.slice('qualification_data.'.length));
  if (field.startsWith('custom_fields.')) return own(subject.custom_fields, field.slice('custom_fields.'.length));
  if (field.startsWith('contact.custom_fields.')) return own(subject.contact.custom_fields, field.slice('contact.custom_fields.'.length));
  if (field === 'contact.company') return subject.contact.company;
  if (field === 'contact.tags') return subject.contact.tags;
  return subject.contact.locale;
}

/** A scalar as the rules compare it, or undefined when it is no value. */
function comparable(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    return text === '' ? undefined : text;
  }
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return JSON.stringify(value);
  return undefined;
}

function clampPoints(points: number): number {
  return Number.isFinite(points) ? Math.min(100, Math.max(0, points)) : 0;
}

interface Applied {
  value: string | string[];
  points: number;
  default?: true;
}

/** What `rule` gives `subject`, or undefined when it does not apply. */
function applyRule(rule: DemographicRule, subject: DemographicSubject): Applied | undefined {
  const raw = fieldValue(subject, rule.field);
  const values = (Array.isArray(raw) ? raw.map(comparable) : [comparable(raw)]).filter((v): v is string => v !== undefined);
  if (values.length === 0) return undefined;

  const table = new Map<string, number>();
  for (const [key, points] of Object.entries(rule.points)) {
    const k = key.trim().toLowerCase();
    table.set(k, Math.max(table.get(k) ?? 0, clampPoints(points)));
  }
  let best: Applied | undefined;
  for (const value of values) {
    const points = table.get(value);
    if (points !== undefined && (best === undefined || points > best.points)) best = { value, points };
  }
  if (best) return best;
  if (rule.default_points === undefined) return undefined;
  return { value: Array.isArray(raw) ? values : (values[0] ?? ''), points: clampPoints(rule.default_points), default: true };
}

/** The last segment of a field path, for the reason ("qualification_data.company_size" → "company_size"). */
function shortName(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1);
}

/** The demographic score of `subject` under an organization's `rules`, or null when none applies. */
export function demographicScore(rules: readonly DemographicRule[], subject: DemographicSubject): ComponentScore | null {
  const demographics: Record<string, Applied> = {};
  const parts: string[] = [];
  let sum = 0;
  let count = 0;
  for (const rule of rules) {
    const applied = applyRule(rule, subject);
    if (!applied) continue;
    let key = rule.field;
    for (let n = 2; Object.hasOwn(demographics, key); n += 1) key = `${rule.field}#${n}`;
    demographics[key] = applied;
    sum += applied.points;
    count += 1;
    const shown = Array.isArray(applied.value) ? applied.value.join('/') : applied.value;
    parts.push(`${shortName(rule.field)} ${shown} (${applied.points}${applied.default ? ', default' : ''})`);
  }
  if (count === 0) return null;
  return {
    type: 'demographic',
    score: toScore(sum / count),
    reason: `Average of ${count} demographic ${count === 1 ? 'rule' : 'rules'}: ${listJoin(parts)}`,
    factors: { demographics },
  };
}
