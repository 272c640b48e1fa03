/**
 * Collation (`{locale, strength, caseLevel, caseFirst, numericOrdering, alternate}`) for `find`,
 * `count`, `distinct`, `aggregate`, updates and deletes, and for indexes created with one.
 *
 * String comparisons use `Intl.Collator` (ICU, like mongod): strength 1 ignores case and
 * diacritics, 2 ignores case, 3 (the default) compares both. Filters are rewritten so that every
 * comparison with a string operand (`{f: "x"}`, `$eq $ne $in $nin $gt $gte $lt $lte`, also inside
 * `$and/$or/$nor/$not/$elemMatch`) goes through the `$__collate` query operator registered in
 * mingo-options.ts; regexes ignore collation, as on mongod. Sorts pass the collation to mingo's
 * `$sort`, which uses the same collator.
 */
import type { Document } from './bson.js';
import { badValue } from './errors.js';
import { encodeKey, isPlainObject } from './values.js';

/** A non-simple collation. */
export interface Collation extends Document {
  locale: string;
  strength?: number;
  caseLevel?: boolean;
  caseFirst?: string;
  numericOrdering?: boolean;
  alternate?: string;
}

/** The collation a command asks for; undefined for none or `{locale: "simple"}`. */
export function parseCollation(value: unknown): Collation | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value) || typeof value.locale !== 'string') throw badValue("Missing expected field \"locale\"");
  if (value.locale === 'simple') return undefined;
  if (value.strength !== undefined && ![1, 2, 3, 4, 5].includes(value.strength as number)) {
    throw badValue('strength must be an integer 1 through 5');
  }
  return value as Collation;
}

/** Whether two collations (or `undefined` for simple) compare strings alike, defaults filled in. */
export function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  const norm = (c: Collation | undefined): string =>
    c === undefined
      ? 'simple'
      : encodeKey([c.locale, c.strength ?? 3, c.caseLevel ?? false, c.caseFirst ?? 'off', c.numericOrdering ?? false, c.alternate ?? 'non-ignorable', c.maxVariable ?? 'punct', c.backwards ?? false]);
  return norm(a) === norm(b);
}

const collators = new Map<string, Intl.Collator>();

/** The ICU collator for a collation (cached). */
export function collatorFor(collation: Collation): Intl.Collator {
  const key = encodeKey(collation);
  let collator = collators.get(key);
  if (!collator) {
    const strength = collation.strength ?? 3;
    let sensitivity: Intl.CollatorOptions['sensitivity'] = strength === 1 ? 'base' : strength === 2 ? 'accent' : 'variant';
    if (collation.caseLevel === true) sensitivity = strength === 1 ? 'case' : 'variant';
    collator = new Intl.Collator(collation.locale, {
      sensitivity,
      caseFirst: collation.caseFirst === 'upper' || collation.caseFirst === 'lower' ? collation.caseFirst : 'false',
      numeric: collation.numericOrdering === true,
      ignorePunctuation: collation.alternate === 'shifted',
      usage: 'sort',
    });
    collators.set(key, collator);
  }
  return collator;
}

/**
 * The index key of a string under a collation: equal for strings the collation finds equal
 * (case folded for strength ≤ 2, diacritics removed for strength 1).
 */
export function collationKey(value: string, collation: Collation): string {
  const strength = collation.strength ?? 3;
  if (strength >= 3) return value;
  let out = value.normalize('NFD');
  if (strength === 1) out = out.replace(/\p{M}/gu, '');
  return out.toUpperCase().toLowerCase().normalize('NFC');
}

/** Whether two values are equal under the collator (strings by collation, the rest as BSON). */
export function collatedEqual(a: unknown, b: unknown, collator: Intl.Collator): boolean {
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => collatedEqual(v, b[i], collator));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && collatedEqual(a[k], b[k], collator));
  }
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return encodeKey(a) === encodeKey(b);
}

function hasString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(hasString);
  return isPlainObject(value) && Object.values(value).some(hasString);
}

const COMPARISONS = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte']);

/** `filter` with its string comparisons made collation-aware. */
export function collateFilter(filter: Document, collation: Collation): Document {
  const clauses: Document[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(cond)) {
      clauses.push({ [key]: cond.map((branch: unknown) => (isPlainObject(branch) ? collateFilter(branch, collation) : branch)) });
    } else if (key.startsWith('$')) clauses.push({ [key]: cond });
    else clauses.push(...collateField(key, cond, collation));
  }
  return clauses.length === 1 ? (clauses[0] as Document) : { $and: clauses };
}

function collateField(field: string, cond: unknown, collation: Collation): Document[] {
  const collate = (op: string, v: unknown): Document => ({ [field]: { $__collate: { op, v, c: collation } } });
  const isOperatorObject = isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
  if (!isOperatorObject) return [hasString(cond) && !(cond instanceof RegExp) ? collate('$eq', cond) : { [field]: cond }];
  const clauses: Document[] = [];
  const kept: Document = {};
  for (const [op, arg] of Object.entries(cond)) {
    if (COMPARISONS.has(op) && hasString(arg)) clauses.push(collate(op, arg));
    else if (op === '$elemMatch' && isPlainObject(arg)) {
      const inner = Object.keys(arg).every((k) => k.startsWith('$')) ? collateField('v', arg, collation).map((c) => c.v as Document) : undefined;
      if (inner) clauses.push(...inner.map((c) => ({ [field]: { $elemMatch: c } })));
      else clauses.push({ [field]: { $elemMatch: collateFilter(arg, collation) } });
    } else if (op === '$not' && isPlainObject(arg)) clauses.push({ $nor: [{ $and: collateField(field, arg, collation) }] });
    else kept[op] = arg;
  }
  if ('$options' in kept && !('$regex' in kept)) delete kept.$options;
  if (Object.keys(kept).length) clauses.push({ [field]: kept });
  return clauses;
}

/** The predicate of `{field: {$__collate: {op, v, c}}}` on the value(s) at the field. */
export function collatedTest(op: string, operand: unknown, collation: Collation): (value: unknown) => boolean {
  const collator = collatorFor(collation);
  const eq = (value: unknown, b: unknown): boolean =>
    collatedEqual(value, b, collator) || (Array.isArray(value) && value.some((item) => collatedEqual(item, b, collator)));
  const inList = (value: unknown): boolean => {
    if (!Array.isArray(operand)) throw badValue(`${op} needs an array`);
    return operand.some((item: unknown) =>
      item instanceof RegExp
        ? (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && item.test(v))
        : eq(value, item),
    );
  };
  const range = (accept: (c: number) => boolean) => (value: unknown) =>
    (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && typeof operand === 'string' && accept(collator.compare(v, operand)));
  switch (op) {
    case '$eq':
      return (value) => eq(value, operand);
    case '$ne':
      return (value) => !eq(value, operand);
    case '$in':
      return inList;
    case '$nin':
      return (value) => !inList(value);
    case '$gt':
      return range((c) => c > 0);
    case '$gte':
      return range((c) => c >= 0);
    case '$lt':
      return range((c) => c < 0);
    case '$lte':
      return range((c) => c <= 0);
    default:
      throw badValue(`unknown collated comparison ${op}`);
  }
}
