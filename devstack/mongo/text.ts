/**
 * `$text` over a collection's text index (`{field: "text", ...}`, optional `weights`, `"$**"` for
 * every string field), with mongod's query grammar and score formula:
 *
 * - `$search` is split into terms, `"phrases"` and `-negations`. A document matches when it holds
 *   at least one positive term (a phrase's words count as terms), every phrase, and no negated term
 *   or phrase. Matching ignores case and diacritics unless `$caseSensitive`/`$diacriticSensitive`.
 * - The score (`{$meta: "textScore"}`) is mongod's: per field and term, weight × Σ 1/2^k over the
 *   term's occurrences × (0.5 × count / tokens in the field + 0.5), ×1.1 when the term is the
 *   whole field; summed over the query's distinct positive terms.
 *
 * Unlike mongod there is no stemming and no stop word list for any language (every language
 * behaves like `"none"`), so "runs" does not find "run". Documents are scanned, not looked up.
 */
import type { Document } from './bson.js';
import type { Collection } from './collection.js';
import { badValue, MongoCommandError } from './errors.js';
import type { IndexSpec } from './indexes.js';
import { isPlainObject, pathValues } from './values.js';

/** What `$text` needs from the collection's text index. */
interface TextIndex {
  readonly spec: IndexSpec;
  /** Indexed paths and their weights; undefined for a wildcard (`$**`) index (every string, weight 1 unless weighted). */
  readonly weights: ReadonlyMap<string, number>;
  readonly wildcard: boolean;
}

/** A parsed `$text` operator. */
export interface TextQuery {
  readonly terms: string[];
  readonly negatedTerms: string[];
  readonly phrases: string[];
  readonly negatedPhrases: string[];
  readonly caseSensitive: boolean;
  readonly diacriticSensitive: boolean;
}

/** Whether an index spec is a text index. */
export function isTextIndex(spec: IndexSpec): boolean {
  return Object.values(spec.key).some((dir) => dir === 'text');
}

function textIndexOf(coll: Collection | undefined): TextIndex {
  const spec = coll?.indexes.map((i) => i.spec).find(isTextIndex);
  if (!spec) throw new MongoCommandError('IndexNotFound', 'text index required for $text query');
  const weights = new Map<string, number>();
  let wildcard = false;
  for (const [field, dir] of Object.entries(spec.key)) {
    if (dir !== 'text') continue;
    if (field === '$**') wildcard = true;
    else weights.set(field, 1);
  }
  if (isPlainObject(spec.weights)) {
    for (const [field, weight] of Object.entries(spec.weights)) {
      if (field === '$**') wildcard = true;
      else if (typeof weight === 'number') weights.set(field, weight);
    }
  }
  return { spec, weights, wildcard };
}

/**
 * Splits a filter into its `$text` operator (top level or in a top-level `$and`) and the rest.
 * `$text` anywhere else is left in place, where mingo rejects it as mongod would.
 */
export function splitText(filter: Document): { text: Document | undefined; rest: Document } {
  if (!('$text' in filter) && !Array.isArray(filter.$and)) return { text: undefined, rest: filter };
  let text: Document | undefined;
  const take = (value: unknown): void => {
    if (text !== undefined) throw badValue('Too many text expressions');
    if (!isPlainObject(value)) throw badValue('$text expects an object');
    text = value;
  };
  const rest: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$text') take(value);
    else if (key === '$and' && Array.isArray(value)) {
      const branches = value.map((branch: unknown) => {
        if (!isPlainObject(branch) || !('$text' in branch)) return branch;
        const { $text, ...others } = branch;
        take($text);
        return others;
      });
      rest.$and = branches;
    } else rest[key] = value;
  }
  return { text, rest };
}

/** Validates a `$text` operator and parses its `$search` string. */
export function parseText(operator: Document): TextQuery {
  for (const key of Object.keys(operator)) {
    if (!['$search', '$language', '$caseSensitive', '$diacriticSensitive'].includes(key)) {
      throw badValue(`extra fields in $text: ${key}`);
    }
  }
  if (typeof operator.$search !== 'string') throw badValue('$search requires a string value');
  if (operator.$language !== undefined && typeof operator.$language !== 'string') throw badValue('$language requires a string value');
  const caseSensitive = operator.$caseSensitive === true;
  const diacriticSensitive = operator.$diacriticSensitive === true;
  const query: TextQuery = { terms: [], negatedTerms: [], phrases: [], negatedPhrases: [], caseSensitive, diacriticSensitive };
  const fold = (s: string): string => foldText(s, caseSensitive, diacriticSensitive);
  // A `-` right before a word or a quote (at the start or after whitespace) negates it.
  const chunks = /(-?)"([^"]*)"?|(\S+)/g;
  for (const match of operator.$search.matchAll(chunks)) {
    const [, minus, phrase, word] = match;
    if (phrase !== undefined) {
      const words = tokens(phrase);
      if (words.length === 0) continue;
      if (minus) query.negatedPhrases.push(fold(phrase));
      else {
        query.phrases.push(fold(phrase));
        query.terms.push(...words.map(fold));
      }
      continue;
    }
    const words = tokens(word ?? '');
    if (words.length === 0) continue;
    const negated = (word ?? '').startsWith('-');
    words.forEach((w, i) => (negated && i === 0 ? query.negatedTerms : query.terms).push(fold(w)));
  }
  return query;
}

function tokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}\p{M}_]+/gu) ?? [];
}

function foldText(text: string, caseSensitive: boolean, diacriticSensitive: boolean): string {
  let out = text;
  if (!diacriticSensitive) out = out.normalize('NFD').replace(/\p{M}/gu, '');
  if (!caseSensitive) out = out.toLowerCase();
  return out;
}

/** The strings a text index sees in a document, with their weights. */
function indexedStrings(index: TextIndex, doc: Document): Array<{ text: string; weight: number }> {
  const out: Array<{ text: string; weight: number }> = [];
  if (index.wildcard) {
    const visit = (value: unknown, path: string): void => {
      if (typeof value === 'string') out.push({ text: value, weight: index.weights.get(path) ?? 1 });
      else if (Array.isArray(value)) for (const item of value) visit(item, path);
      else if (isPlainObject(value)) for (const [key, v] of Object.entries(value)) visit(v, path ? `${path}.${key}` : key);
    };
    visit(doc, '');
    return out;
  }
  for (const [path, weight] of index.weights) {
    for (const value of pathValues(doc, path)) if (typeof value === 'string') out.push({ text: value, weight });
  }
  return out;
}

/**
 * The documents of `docs` that a `$text` operator matches, with their scores (in `docs` order).
 * Throws IndexNotFound when the collection has no text index, as mongod does.
 */
export function textSearch(coll: Collection | undefined, operator: Document, docs: Iterable<Document>): Map<Document, number> {
  const index = textIndexOf(coll);
  const query = parseText(operator);
  const scored = new Map<Document, number>();
  const positive = new Set(query.terms.map((t) => foldText(t, false, false)));
  if (positive.size === 0) return scored;
  for (const doc of docs) {
    const strings = indexedStrings(index, doc);
    if (strings.length === 0) continue;
    const texts = strings.map((s) => foldText(s.text, query.caseSensitive, query.diacriticSensitive));
    const words = new Set(texts.flatMap(tokens));
    if (!query.terms.some((t) => words.has(t))) continue;
    if (query.negatedTerms.some((t) => words.has(t))) continue;
    if (!query.phrases.every((p) => texts.some((t) => t.includes(p)))) continue;
    if (query.negatedPhrases.some((p) => texts.some((t) => t.includes(p)))) continue;
    scored.set(doc, score(strings, positive));
  }
  return scored;
}

/** mongod's FTS score of one document for the query's (folded) positive terms. */
function score(strings: Array<{ text: string; weight: number }>, terms: ReadonlySet<string>): number {
  let total = 0;
  for (const { text, weight } of strings) {
    const words = tokens(text).map((w) => foldText(w, false, false));
    const stats = new Map<string, { count: number; freq: number; exp: number }>();
    for (const word of words) {
      const s = stats.get(word) ?? { count: 0, freq: 0, exp: 0 };
      s.exp = s.exp ? s.exp * 2 : 1;
      s.count += 1;
      s.freq += 1 / s.exp;
      stats.set(word, s);
    }
    for (const term of terms) {
      const s = stats.get(term);
      if (!s) continue;
      const coeff = (0.5 * s.count) / words.length + 0.5;
      const whole = foldText(text, false, false) === term ? 1.1 : 1;
      total += weight * s.freq * coeff * whole;
    }
  }
  return total;
}
