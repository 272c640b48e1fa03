/**
 * mongod's comparisons with null: `{$gte: null}` and `{$lte: null}` match a null and a missing
 * field (as `{$eq: null}` does), `{$gt: null}` and `{$lt: null}` match nothing. mingo compares only
 * values of the operand's own type, so it matched a stored null alone (and the fast filter hands
 * null operands to mingo). Filters are rewritten to the equivalent before mingo compiles them.
 */
import type { Document } from './bson.js';
import { isPlainObject } from './values.js';

const AS_NULL = new Set(['$gte', '$lte']);
const NEVER = new Set(['$gt', '$lt']);
const LOGICAL = new Set(['$and', '$or', '$nor']);

const isOperatorObject = (cond: unknown): cond is Document => isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));

/** Whether an operator object may hold a null comparison (a cheap test: every query's filter passes here). */
function mayCompareNull(cond: Document): boolean {
  for (const op in cond) {
    const arg = cond[op];
    if (arg === null ? AS_NULL.has(op) || NEVER.has(op) : (op === '$not' || op === '$elemMatch') && isPlainObject(arg)) return true;
  }
  return false;
}

/** One field's operator object → the conditions (all must hold) that mean the same to mongod. */
function rewriteCondition(cond: Document): Document[] {
  if (!mayCompareNull(cond)) return [cond];
  const kept: Document = {};
  const extra: Document[] = [];
  let changed = false;
  for (const [op, arg] of Object.entries(cond)) {
    let next: unknown = arg;
    if (arg === null && AS_NULL.has(op)) extra.push({ $eq: null });
    else if (arg === null && NEVER.has(op)) extra.push({ $in: [] });
    else if ((op === '$not' || op === '$elemMatch') && isOperatorObject(arg)) {
      // One condition only: several would need an $and, which neither operator can hold.
      const inner = rewriteCondition(arg);
      if (inner.length === 1) next = inner[0];
    } else if (op === '$elemMatch' && isPlainObject(arg)) next = rewriteNullRanges(arg);
    if (next !== arg || extra.length) changed = true;
    if (!(arg === null && (AS_NULL.has(op) || NEVER.has(op)))) kept[op] = next;
  }
  if (!changed) return [cond];
  const conditions = Object.keys(kept).length ? [kept] : [];
  for (const c of extra) {
    const [op] = Object.keys(c) as [string];
    const target = conditions.find((existing) => !(op in existing));
    if (target) Object.assign(target, c);
    else conditions.push(c);
  }
  return conditions;
}

/** `filter` with every null comparison replaced by what it means to mongod (the same object when there is none). */
export function rewriteNullRanges(filter: Document): Document {
  let out: Document | undefined;
  const extraClauses: Document[] = [];
  for (const [key, value] of Object.entries(filter)) {
    let next: unknown = value;
    if (LOGICAL.has(key) && Array.isArray(value)) {
      const branches = value.map((b: unknown) => (isPlainObject(b) ? rewriteNullRanges(b) : b));
      if (branches.some((b, i) => b !== value[i])) next = branches;
    } else if (!key.startsWith('$') && isPlainObject(value) && mayCompareNull(value) && isOperatorObject(value)) {
      const conditions = rewriteCondition(value);
      if (conditions.length !== 1 || conditions[0] !== value) {
        next = conditions[0] ?? {};
        for (const c of conditions.slice(1)) extraClauses.push({ [key]: c });
      }
    }
    if (next !== value) (out ??= { ...filter })[key] = next;
  }
  if (extraClauses.length === 0) return out ?? filter;
  const result = out ?? { ...filter };
  result.$and = [...(Array.isArray(result.$and) ? (result.$and as Document[]) : []), ...extraClauses];
  return result;
}

/** A pipeline with every `$match` rewritten, sub-pipelines (`$facet`, `$lookup`, `$unionWith`) included (the same array when nothing changes). */
export function rewritePipelineNullRanges(pipeline: Document[]): Document[] {
  const stages = pipeline.map((stage) => {
    if (isPlainObject(stage.$match)) {
      const match = rewriteNullRanges(stage.$match);
      return match === stage.$match ? stage : { ...stage, $match: match };
    }
    if (isPlainObject(stage.$facet)) {
      const facets = Object.fromEntries(Object.entries(stage.$facet).map(([name, sub]) => [name, Array.isArray(sub) ? rewritePipelineNullRanges(sub as Document[]) : sub]));
      return Object.entries(facets).some(([name, sub]) => sub !== (stage.$facet as Document)[name]) ? { ...stage, $facet: facets } : stage;
    }
    for (const op of ['$lookup', '$unionWith'] as const) {
      const spec: unknown = stage[op];
      if (isPlainObject(spec) && Array.isArray(spec.pipeline)) {
        const sub = rewritePipelineNullRanges(spec.pipeline as Document[]);
        return sub === spec.pipeline ? stage : { ...stage, [op]: { ...spec, pipeline: sub } };
      }
    }
    return stage;
  });
  return stages.some((s, i) => s !== pipeline[i]) ? stages : pipeline;
}
