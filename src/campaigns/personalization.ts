/**
 * Personalization tokens in template parameters (docs/campaigns.md, "Personalization"): a
 * parameter's `value` is a literal, a token such as `{{first_name}}`, or text with tokens in it
 * (`"{{first_name}} de {{company}}"`); a token that is empty for a contact is replaced by the
 * parameter's `fallback`. Checked when a message is saved; rendered per recipient by the sender
 * (part B) with {@link renderParameters}.
 */
import type { TemplateParameter } from './models.js';

export const TOKENS = ['first_name', 'name', 'email', 'company', 'deal_value', 'score'] as const;
export type Token = (typeof TOKENS)[number];
/** `custom.<key>`: a custom field of the contact (keys as custom_fields allows: up to 64 characters). */
const CUSTOM_TOKEN = /^custom\.([^{}\s][^{}]{0,63})$/;
const TOKEN_IN_TEXT = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** WhatsApp refuses a parameter with a newline, a tab or more than four spaces in a row (error 132000-range). */
const REFUSED_BY_WHATSAPP = /[\n\r\t]| {5,}/;
export const MAX_PARAMETER_LENGTH = 1024;

/** What a parameter may be sent as in the API: a plain string, or `{ value, fallback?, name? }` (`name`: a NAMED template's placeholder). */
export type ParameterInput = string | { value: string; fallback?: string | null | undefined; name?: string | null | undefined };

export const toParameter = (input: ParameterInput): TemplateParameter =>
  typeof input === 'string' ? { value: input, fallback: null } : { value: input.value, fallback: input.fallback ?? null, ...(input.name ? { name: input.name } : {}) };

/**
 * What is wrong with a list of parameters as a whole: a NAMED template's parameters are all named
 * and a positional one's none (not a mix), and a name is given once. `field` names the list.
 */
export function parameterListProblems(params: readonly TemplateParameter[], field: string): { path: string; message: string }[] {
  const named = params.filter((p) => p.name);
  if (named.length === 0) return [];
  if (named.length !== params.length) {
    return [{ path: field, message: 'name every parameter (a NAMED template: the placeholder each one fills) or none (a positional template: in order)' }];
  }
  const seen = new Set<string>();
  const repeated = new Set(named.map((p) => p.name as string).filter((n) => seen.has(n) || !seen.add(n)));
  return [...repeated].map((n) => ({ path: field, message: `parameter name ${n} is given more than once` }));
}

/** The tokens named in `value`, in order (`custom.plan` for a custom field). */
export function tokensIn(value: string): string[] {
  return [...value.matchAll(TOKEN_IN_TEXT)].map((m) => m[1] ?? '');
}

const isKnownToken = (token: string) => (TOKENS as readonly string[]).includes(token) || CUSTOM_TOKEN.test(token);

/** What is wrong with a parameter (each problem a sentence), or nothing. `where` names it, e.g. `template_parameters.1`. */
export function parameterProblems(param: TemplateParameter, where: string): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const token of tokensIn(param.value)) {
    if (!isKnownToken(token)) problems.push({ path: `${where}.value`, message: `unknown personalization token {{${token}}}; use ${TOKENS.map((t) => `{{${t}}}`).join(', ')} or {{custom.<key>}}` });
  }
  for (const [field, text] of [['value', param.value], ['fallback', param.fallback]] as const) {
    if (text === null) continue;
    if (REFUSED_BY_WHATSAPP.test(text)) problems.push({ path: `${where}.${field}`, message: 'WhatsApp refuses template parameters with newlines, tabs or more than four spaces in a row' });
  }
  if (param.fallback !== null && tokensIn(param.fallback).length > 0) problems.push({ path: `${where}.fallback`, message: 'a fallback is literal text: it cannot hold tokens' });
  if (param.value.trim() === '') problems.push({ path: `${where}.value`, message: 'WhatsApp refuses empty template parameters' });
  return problems;
}

/** What the tokens are read from: the contact, and its open lead (deal value, score) when it has one. */
export interface PersonalizationSubject {
  contact: { name?: string | null; first_name?: string | null; email?: string | null; company?: string | null; whatsapp_profile_name?: string | null; custom_fields?: Record<string, unknown> };
  lead?: { deal_value?: number | null; score?: number | null } | null;
}

const text = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
};

/** A token's value for a subject ('' when it has none). `first_name` falls back to the first word of the name, then of the WhatsApp profile name. */
export function tokenValue(token: string, subject: PersonalizationSubject): string {
  const { contact, lead } = subject;
  switch (token) {
    case 'first_name':
      return text(contact.first_name) || text(contact.name).split(/\s+/)[0] || text(contact.whatsapp_profile_name).split(/\s+/)[0] || '';
    case 'name':
      return text(contact.name) || text(contact.whatsapp_profile_name);
    case 'email':
      return text(contact.email);
    case 'company':
      return text(contact.company);
    case 'deal_value':
      return text(lead?.deal_value);
    case 'score':
      return text(lead?.score);
    default: {
      const custom = CUSTOM_TOKEN.exec(token);
      return custom?.[1] ? text(contact.custom_fields?.[custom[1]]) : '';
    }
  }
}

/**
 * The parameters as sent to one recipient, or the tokens that are empty without a fallback (the
 * sender then skips the recipient rather than send WhatsApp an empty parameter, which it refuses).
 */
export function renderParameters(params: readonly TemplateParameter[], subject: PersonalizationSubject): { ok: true; values: string[] } | { ok: false; missing: string[] } {
  const values: string[] = [];
  const missing: string[] = [];
  for (const param of params) {
    let empty = false;
    const rendered = param.value.replace(TOKEN_IN_TEXT, (_m, token: string) => {
      const v = tokenValue(token, subject);
      if (v) return v;
      if (param.fallback !== null) return param.fallback;
      empty = true;
      missing.push(token);
      return '';
    });
    const value = rendered.replace(/\s+/g, ' ').trim().slice(0, MAX_PARAMETER_LENGTH);
    if (!empty && value === '' && param.fallback !== null) values.push(param.fallback);
    else values.push(value);
  }
  return missing.length ? { ok: false, missing } : { ok: true, values };
}
