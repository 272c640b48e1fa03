/**
 * Shared mingo option objects, built once.
 *
 * Why: given plain options, mingo copies its entire operator table on every `new Query(...)`
 * (~15 µs, most of a point lookup's server time). Given an existing `ComputeOptions` instance it
 * reuses it (documented on `ComputeOptions.init`). mingo does not export that class, so the
 * instance is obtained the way operators receive it: via a one-off capturing query operator.
 */
import { Context } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as mingoQueryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import type { Document } from './bson.js';
import { collatedTest, type Collation } from './collation.js';
import { rewriteNullRanges, rewritePipelineNullRanges } from './null-ranges.js';
import { isPlainObject } from './values.js';
import { resolve } from 'mingo/util';

/**
 * mongod's `$all`: the `$and` of one equality (or `$elemMatch`) per listed value, so a scalar field
 * matches `{f: {$all: [v]}}` when it equals v (mingo requires an array), and `[]` matches nothing.
 */
function $all(selector: string, value: unknown, options: Options): (obj: Document) => boolean {
  if (!Array.isArray(value)) throw new Error('$all needs an array');
  if (value.length === 0) return () => false;
  const queries = value.map((item: unknown) => {
    const elemMatch = isPlainObject(item) && Object.keys(item)[0] === '$elemMatch';
    if (isPlainObject(item) && !elemMatch && Object.keys(item).some((k) => k.startsWith('$'))) throw new Error('no $ expressions in $all');
    return new Query({ [selector]: elemMatch || item instanceof RegExp ? item : { $eq: item } }, options);
  });
  return (obj) => queries.every((q) => q.test(obj));
}

/** `{f: {$__collate: {op, v, c}}}`: a comparison under a collation (written by collation.ts). */
function $__collate(selector: string, value: unknown, _options: Options): (obj: Document) => boolean {
  if (!isPlainObject(value) || typeof value.op !== 'string' || !isPlainObject(value.c)) throw new Error('$__collate: bad argument');
  const test = collatedTest(value.op, value.v, value.c as Collation);
  return (obj) => test(resolve(obj, selector, { unwrapArray: true }));
}

/** mingo's query operators with mongod's `$all`, and collated comparisons. */
const queryOperators = { ...mingoQueryOperators, $all, $__collate };

function captureComputeOptions(): Options {
  let captured: Options | undefined;
  const context = Context.init({
    query: {
      ...queryOperators,
      $__captureOptions: (_selector: string, _value: unknown, options: Options) => {
        captured = options;
        return () => true;
      },
    },
    expression: expressionOperators,
    projection: projectionOperators,
  });
  new Query({ _: { $__captureOptions: true } }, { context });
  if (!captured) throw new Error('mingo did not hand its options to the query operator');
  return captured;
}

/** Reusable options for matching and projecting (query, expression and projection operators). */
export const QUERY_OPTIONS: Options = captureComputeOptions();

/**
 * Options for classic operator updates: an empty context, to which mingo's updater adds the
 * few operator groups it needs itself, avoiding the full-table copy per update.
 */
export const UPDATE_QUERY_OPTIONS: Partial<Options> = { context: Context.init({ query: { $all, $__collate } }) };

/** Every operator group, with mongod's `$all`, for aggregations. */
const AGGREGATE_CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: pipelineOperators,
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

/** An aggregation with the store's operator table (options as mingo's `Aggregator` takes them). */
export function makeAggregator(pipeline: Document[], options: Partial<Options>): Aggregator {
  return new Aggregator(rewritePipelineNullRanges(pipeline), { ...options, context: AGGREGATE_CONTEXT });
}

/** Compiles a filter into a reusable predicate (null comparisons as mongod reads them: null-ranges.ts). */
export function compileFilter(filter: Document): Query {
  return new Query(rewriteNullRanges(filter), QUERY_OPTIONS);
}
