/**
 * The value rules of a contact, shared by the single-contact routes and every bulk row: a value of
 * the right type that is still not acceptable (a phone that is no number, a time zone that does not
 * exist, custom_fields over its bounds) is an `INVALID_VALUE` (422) naming the field.
 */
import type { OptInStatus } from './models.js';
import { normalizePhone } from './phone.js';
import type { ContactFields } from './schemas.js';

export const MAX_CUSTOM_FIELD_KEYS = 50;
export const MAX_CUSTOM_FIELDS_BYTES = 8 * 1024;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 64;

/** A contact's fields after the value rules; `null` means "clear this field". */
export interface NormalizedContact {
  phone?: string;
  name?: string | null;
  first_name?: string | null;
  email?: string | null;
  company?: string | null;
  tags?: string[];
  locale?: string | null;
  timezone?: string | null;
  opt_in_status?: OptInStatus;
  opt_in_source?: string;
  opt_in_at?: Date;
  do_not_contact?: boolean;
  custom_fields?: Record<string, unknown>;
  source?: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type Normalized = { ok: true; value: NormalizedContact } | { ok: false; problems: FieldProblem[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const timeZones = new Map<string, string | undefined>();

/** The canonical IANA name of `zone`, or undefined when the runtime does not know it. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (timeZones.has(zone)) return timeZones.get(zone);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  if (timeZones.size < 1000) timeZones.set(zone, canonical);
  return canonical;
}

function canonicalLocale(locale: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

/** Trimmed, lowercased, inner whitespace collapsed, empty ones and duplicates dropped (first order kept). */
export function normalizeTags(tags: readonly string[]): string[] {
  const out = new Set<string>();
  for (const tag of tags) {
    const t = tag.trim().toLowerCase().replace(/\s+/g, ' ');
    if (t) out.add(t);
  }
  return [...out];
}

/** Applies the value rules to fields whose shape zod has checked already. */
export function normalizeContact(input: Partial<ContactFields>): Normalized {
  const problems: FieldProblem[] = [];
  const value: NormalizedContact = {};
  const emptyToNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s === '' ? null : s);

  if (input.phone !== undefined) {
    const phone = normalizePhone(input.phone);
    if (phone) value.phone = phone;
    else problems.push({ field: 'phone', message: `not a valid phone number: ${JSON.stringify(input.phone.slice(0, 40))}` });
  }
  for (const field of ['name', 'first_name', 'company'] as const) {
    const v = emptyToNull(input[field]);
    if (v !== undefined) value[field] = v;
  }
  const email = emptyToNull(input.email);
  if (email !== undefined) {
    if (email === null) value.email = null;
    else if (EMAIL.test(email)) value.email = email.toLowerCase();
    else problems.push({ field: 'email', message: 'not an email address' });
  }
  if (input.tags !== undefined) {
    const tags = normalizeTags(input.tags);
    if (tags.length > MAX_TAGS) problems.push({ field: 'tags', message: `at most ${MAX_TAGS} tags` });
    else if (tags.some((t) => t.length > MAX_TAG_LENGTH)) problems.push({ field: 'tags', message: `a tag has at most ${MAX_TAG_LENGTH} characters` });
    else value.tags = tags;
  }
  const locale = emptyToNull(input.locale);
  if (locale !== undefined) {
    const canonical = locale === null ? null : canonicalLocale(locale);
    if (canonical === undefined) problems.push({ field: 'locale', message: 'not a BCP 47 language tag' });
    else value.locale = canonical;
  }
  const timezone = emptyToNull(input.timezone);
  if (timezone !== undefined) {
    const canonical = timezone === null ? null : canonicalTimeZone(timezone);
    if (canonical === undefined) problems.push({ field: 'timezone', message: `not an IANA time zone: ${JSON.stringify(String(timezone).slice(0, 64))}` });
    else value.timezone = canonical;
  }
  if (input.opt_in_status !== undefined) value.opt_in_status = input.opt_in_status;
  if (input.opt_in_source) value.opt_in_source = input.opt_in_source;
  if (input.opt_in_at !== undefined) value.opt_in_at = new Date(input.opt_in_at);
  if (input.do_not_contact !== undefined) value.do_not_contact = input.do_not_contact;
  if (input.custom_fields !== undefined) {
    const problem = customFieldsProblem(input.custom_fields);
    if (problem) problems.push({ field: 'custom_fields', message: problem });
    else value.custom_fields = input.custom_fields;
  }
  if (input.source) value.source = input.source;
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

function customFieldsProblem(fields: Record<string, unknown>): string | undefined {
  const keys = Object.keys(fields);
  if (keys.length > MAX_CUSTOM_FIELD_KEYS) return `at most ${MAX_CUSTOM_FIELD_KEYS} keys (got ${keys.length})`;
  if (keys.some((k) => k === '' || k.startsWith('$') || k.includes('.'))) return 'a key is empty, starts with $ or contains a dot';
  const bytes = Buffer.byteLength(JSON.stringify(fields));
  if (bytes > MAX_CUSTOM_FIELDS_BYTES) return `at most ${MAX_CUSTOM_FIELDS_BYTES} bytes of JSON (got ${bytes})`;
  return undefined;
}

export const describeProblems = (problems: readonly FieldProblem[]) => problems.map((p) => `${p.field}: ${p.message}`).join('; ');
