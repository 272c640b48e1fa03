/**
 * Shared mingo option objects, built once.
 *
 * Why: given plain options, mingo copies its entire operator table on every `new Query(...)`
 * (~15 µs, most of a point lookup's server time). Given an existing `ComputeOptions` instance it
 * reuses it (documented on `ComputeOptions.init`). mingo does not export that class, so the
 * instance is obtained the way operators receive it: via a one-off capturing query operator.
 */
import { Context } from 'mingo';
import * as expressionOperators from 'mingo/operators/expression';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import type { Document } from './bson.js';

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
export const UPDATE_QUERY_OPTIONS: Partial<Options> = { context: Context.init() };

/** Compiles a filter into a reusable predicate. */
export function compileFilter(filter: Document): Query {
  return new Query(filter, QUERY_OPTIONS);
}
