/**
 * Field checks over a parsed JSON body, naming fields the way Meta does (`interactive['action']['buttons'][0]`).
 * Missing or wrongly typed fields and unknown keys are code 100; a value that breaks a rule is 131009.
 * Lengths count Unicode code points, as Meta counts characters (an emoji is one).
 */
import { invalidParameter, invalidValue, requiredParameter, unexpectedKey } from './graph-errors.js';

export type Json = Record<string, unknown>;

/** `interactive` + `action` → `interactive['action']`; numbers become `[0]`; a top-level field is its bare name. */
export function at(param: string, key: string | number): string {
  if (param === '') return String(key);
  return typeof key === 'number' ? `${param}[${key}]` : `${param}['${key}']`;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function codePoints(text: string): number {
  return Array.from(text).length;
}

/** The value as an object, or 100 when it is missing or not an object. */
export function object(value: unknown, param: string): Json {
  if (value === undefined) throw requiredParameter(param);
  if (!isObject(value)) throw invalidParameter(`Param ${param} must be a JSON object.`);
  return value;
}

/** Meta refuses keys it does not know inside the objects it parses. */
export function onlyKeys(value: Json, param: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw unexpectedKey(key, param);
  }
}

interface TextRule {
  min?: number;
  max?: number;
}

function checkLength(text: string, param: string, rule: TextRule): string {
  const length = codePoints(text);
  const min = rule.min ?? 1;
  if (length < min) throw invalidValue(`${param} must be at least ${min} character${min === 1 ? '' : 's'} long, got ${length}.`);
  if (rule.max !== undefined && length > rule.max) throw invalidValue(`${param} must be at most ${rule.max} characters long, got ${length}.`);
  return text;
}

/** A required string field, 1..max code points unless said otherwise. */
export function text(parent: Json, key: string, param: string, rule: TextRule = {}): string {
  const value = parent[key];
  const name = at(param, key);
  if (value === undefined || value === null) throw requiredParameter(name);
  if (typeof value !== 'string') throw invalidParameter(`Param ${name} must be a string.`);
  return checkLength(value, name, rule);
}

export function optionalText(parent: Json, key: string, param: string, rule: TextRule = {}): string | undefined {
  return parent[key] === undefined ? undefined : text(parent, key, param, rule);
}

export function optionalBoolean(parent: Json, key: string, param: string): void {
  const value = parent[key];
  if (value !== undefined && typeof value !== 'boolean') throw invalidParameter(`Param ${at(param, key)} must be a boolean.`);
}

/** A required array with `min..max` items. */
export function list(parent: Json, key: string, param: string, rule: { min: number; max: number }): unknown[] {
  const value = parent[key];
  const name = at(param, key);
  if (value === undefined || value === null) throw requiredParameter(name);
  if (!Array.isArray(value)) throw invalidParameter(`Param ${name} must be an array.`);
  if (value.length < rule.min || value.length > rule.max) {
    throw invalidValue(`${name} must have between ${rule.min} and ${rule.max} items, got ${value.length}.`);
  }
  return value;
}

/** A string field that must be one of `choices`. */
export function oneOf<T extends string>(parent: Json, key: string, param: string, choices: readonly T[]): T {
  const value = text(parent, key, param);
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidParameter(`Param ${at(param, key)} must be one of {${choices.join(', ')}} - got "${value}".`);
  }
  return value as T;
}

/** 131009 naming the first repeated value: a repeated id or title makes a tap ambiguous. */
export function unique(values: { value: string; param: string }[], what: string): void {
  const seen = new Set<string>();
  for (const { value, param } of values) {
    if (seen.has(value)) throw invalidValue(`${param}: ${what} must be unique, "${value}" is repeated.`);
    seen.add(value);
  }
}

/** Meta fetches media links itself from the internet; the simulator insists on https like the CRM contract. */
export function httpsLink(parent: Json, key: string, param: string): string {
  const link = text(parent, key, param, { max: 2048 });
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw invalidValue(`${at(param, key)} must be an absolute URL, got "${link}".`);
  }
  if (url.protocol !== 'https:') throw invalidValue(`${at(param, key)} must be an https:// URL, got "${link}".`);
  return link;
}
