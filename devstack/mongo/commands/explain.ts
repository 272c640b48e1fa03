/**
 * `explain` of `find`, `count`, `distinct` and `aggregate` (also `aggregate` with `explain: true`).
 * The query runs for real, traced, so `queryPlanner.winningPlan` names exactly what the planner
 * and the fast paths chose: IDHACK for `_id` lookups, FETCH over IXSCAN (indexName, keyPattern)
 * for an index, COLLSCAN for a scan, TEXT_MATCH for `$text`, with SORT / SKIP / LIMIT /
 * PROJECTION_DEFAULT stages above. There are never rejected plans (one plan is ever considered).
 * `executionStats` (for verbosity `executionStats`/`allPlansExecution`) gives nReturned and the
 * documents examined. A pipeline made only of `$match` (first), `$sort`, `$skip`, `$limit`,
 * `$project` is answered like a find, as mongod pushes it down; any other gets
 * `stages: [{$cursor: {queryPlanner}}, ...the other stages]`.
 */
import type { Document } from '../bson.js';
import type { Collection } from '../collection.js';
import { MongoCommandError } from '../errors.js';
import { asFilter, countMatches, findDocs, type ReadTrace } from '../query.js';
import { splitText } from '../text.js';
import { isPlainObject } from '../values.js';
import { SERVER_VERSION } from './admin.js';
import { collectionName, type CommandContext, type CommandTable } from './context.js';

const VERBOSITIES = new Set(['queryPlanner', 'executionStats', 'allPlansExecution']);

function scanStage(trace: ReadTrace, filter: Document): Document {
  const withFilter = (stage: Document): Document => (Object.keys(filter).length ? { ...stage, filter } : stage);
  if (trace.walked) return withFilter({ stage: 'FETCH', inputStage: indexScan(trace.walked) });
  const plan = trace.plan;
  if (!plan) return { stage: 'EOF' };
  switch (plan.stage) {
    case 'IDHACK':
      return { stage: 'IDHACK' };
    case 'IXSCAN':
      return withFilter({ stage: 'FETCH', inputStage: indexScan(plan.spec) });
    case 'TEXT': {
      const rest = splitText(filter).rest;
      const restFilter = (stage: Document): Document => (Object.keys(rest).length ? { ...stage, filter: rest } : stage);
      return {
        stage: 'TEXT_MATCH',
        indexName: plan.spec.name as string,
        inputStage: restFilter({ stage: 'FETCH', inputStage: { stage: 'TEXT_OR', inputStage: indexScan(plan.spec) } }),
      };
    }
    default:
      return withFilter({ stage: 'COLLSCAN', direction: plan.direction === 1 ? 'forward' : 'backward' });
  }
}

function indexScan(spec: Document): Document {
  return {
    stage: 'IXSCAN',
    keyPattern: spec.key as Document,
    indexName: spec.name as string,
    isMultiKey: false,
    isUnique: spec.unique === true || spec.name === '_id_',
    isSparse: spec.sparse === true,
    isPartial: spec.partialFilterExpression !== undefined,
    indexVersion: 2,
    direction: 'forward',
  };
}

interface FindShape {
  filter: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
}

function findPlan(trace: ReadTrace, shape: FindShape): Document {
  let stage = scanStage(trace, shape.filter);
  const skip = shape.skip ?? 0;
  const limit = Math.abs(shape.limit ?? 0);
  if (trace.sorted && shape.sort && Object.keys(shape.sort).length) {
    stage = { stage: 'SORT', sortPattern: shape.sort, memLimit: 104_857_600, ...(limit ? { limitAmount: skip + limit } : {}), type: 'simple', inputStage: stage };
  } else if (limit) stage = { stage: 'LIMIT', limitAmount: skip + limit, inputStage: stage };
  if (skip) stage = { stage: 'SKIP', skipAmount: skip, inputStage: stage };
  if (shape.projection && Object.keys(shape.projection).length) stage = { stage: 'PROJECTION_DEFAULT', transformBy: shape.projection, inputStage: stage };
  return stage;
}

function queryPlanner(ns: string, filter: Document, winningPlan: Document): Document {
  return { namespace: ns, indexFilterSet: false, parsedQuery: filter, maxIndexedOrSolutionsReached: false, maxIndexedAndSolutionsReached: false, maxScansToExplodeReached: false, winningPlan, rejectedPlans: [] };
}

function reply(ctx: CommandContext, command: Document, verbosity: string, planner: Document, trace: ReadTrace, nReturned: number, started: number): Document {
  const out: Document = { explainVersion: '1', queryPlanner: planner };
  if (verbosity !== 'queryPlanner') {
    const examined = trace.docsExamined ?? 0;
    const usesIndex = trace.walked !== undefined || trace.plan?.stage === 'IXSCAN' || trace.plan?.stage === 'IDHACK' || trace.plan?.stage === 'TEXT';
    out.executionStats = {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: Date.now() - started,
      totalKeysExamined: usesIndex ? examined : 0,
      totalDocsExamined: examined,
      executionStages: planner.winningPlan as Document,
    };
  }
  return { ...out, command, serverInfo: serverInfo(ctx), ok: 1 };
}

function serverInfo(ctx: CommandContext): Document {
  const address = ctx.stats.host();
  const at = address.lastIndexOf(':');
  return { host: at > 0 ? address.slice(0, at) : address, port: at > 0 ? Number(address.slice(at + 1)) : 27017, version: SERVER_VERSION, gitVersion: 'puente-embedded' };
}

function optionalDoc(value: unknown, field: string): Document | undefined {
  return value === undefined || value === null ? undefined : asFilter(value, field);
}

/** Explains a find-shaped read (find, or a pushed-down pipeline). */
function explainFind(ctx: CommandContext, coll: Collection | undefined, ns: string, command: Document, verbosity: string, shape: FindShape, options: Document): Document {
  const started = Date.now();
  const trace: ReadTrace = {};
  const docs = findDocs(coll, { ...shape, hint: options.hint, collation: options.collation }, trace);
  return reply(ctx, command, verbosity, queryPlanner(ns, shape.filter, findPlan(trace, shape)), trace, docs.length, started);
}

/** The find-like shape of a pipeline mongod pushes down entirely: [$match?, $sort?, $skip?, $limit?, $project?]. */
function pushedDown(pipeline: Document[]): FindShape | undefined {
  const order = ['$match', '$sort', '$skip', '$limit', '$project'];
  const shape: FindShape = { filter: {} };
  let at = 0;
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] as string;
    const position = order.indexOf(name);
    if (position < at) return undefined;
    at = position + 1;
    const arg: unknown = stage[name];
    if (name === '$match' && isPlainObject(arg)) shape.filter = arg;
    else if (name === '$sort' && isPlainObject(arg)) shape.sort = arg;
    else if (name === '$skip' && typeof arg === 'number') shape.skip = arg;
    else if (name === '$limit' && typeof arg === 'number') shape.limit = arg;
    else if (name === '$project' && isPlainObject(arg) && Object.values(arg).every((v) => v === 0 || v === 1 || typeof v === 'boolean')) shape.projection = arg;
    else return undefined;
  }
  return shape;
}

/** Handles `{explain: {find|count|distinct|aggregate: ...}, verbosity}`. */
export function explainCommand(inner: Document, verbosity: string, db: string, ctx: CommandContext): Document {
  if (!VERBOSITIES.has(verbosity)) throw new MongoCommandError('BadValue', `verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}`);
  const name = Object.keys(inner)[0] ?? '';
  switch (name) {
    case 'find': {
      const coll = ctx.store.getCollection(db, collectionName(inner, 'find'));
      const shape: FindShape = {
        filter: asFilter(inner.filter),
        sort: optionalDoc(inner.sort, 'sort'),
        skip: Number(inner.skip ?? 0),
        limit: Number(inner.limit ?? 0),
        projection: optionalDoc(inner.projection, 'projection'),
      };
      return explainFind(ctx, coll, `${db}.${inner.find as string}`, inner, verbosity, shape, inner);
    }
    case 'count':
    case 'distinct': {
      const collName = collectionName(inner, name);
      const coll = ctx.store.getCollection(db, collName);
      const filter = asFilter(inner.query, 'query');
      const started = Date.now();
      const trace: ReadTrace = {};
      const n = coll ? countMatches(coll, filter, { hint: inner.hint, collation: inner.collation }, trace) : 0;
      const scan = scanStage(trace, filter);
      const plan = name === 'count' ? { stage: 'COUNT', inputStage: scan } : { stage: 'PROJECTION_DEFAULT', transformBy: { [String(inner.key)]: 1, _id: 0 }, inputStage: scan };
      return reply(ctx, inner, verbosity, queryPlanner(`${db}.${collName}`, filter, plan), trace, name === 'count' ? 0 : n, started);
    }
    case 'aggregate': {
      if (typeof inner.aggregate !== 'string') throw new MongoCommandError('CommandNotSupported', 'explain of a collection-less aggregate is not supported by the embedded server');
      const pipeline = Array.isArray(inner.pipeline) ? (inner.pipeline as unknown[]).filter(isPlainObject) : [];
      const coll = ctx.store.getCollection(db, inner.aggregate);
      const ns = `${db}.${inner.aggregate}`;
      const shape = pushedDown(pipeline);
      if (shape) return explainFind(ctx, coll, ns, inner, verbosity, shape, inner);
      const first = pipeline[0];
      const filter = first && isPlainObject(first.$match) ? first.$match : {};
      const trace: ReadTrace = {};
      const started = Date.now();
      const n = coll ? countMatches(coll, filter, { hint: inner.hint, collation: inner.collation }, trace) : 0;
      const planner = queryPlanner(ns, filter, scanStage(trace, filter));
      const cursor = reply(ctx, inner, verbosity, planner, trace, n, started);
      const { command, serverInfo, ok, explainVersion, ...cursorStage } = cursor;
      const rest = first && isPlainObject(first.$match) ? pipeline.slice(1) : pipeline;
      return { explainVersion, stages: [{ $cursor: cursorStage }, ...rest], command, serverInfo, ok };
    }
    default:
      throw new MongoCommandError('CommandNotSupported', `explain of '${name}' is not supported by the embedded server`);
  }
}

export const explainCommands: CommandTable = {
  explain: (cmd, db, ctx) => {
    if (!isPlainObject(cmd.explain)) throw new MongoCommandError('BadValue', 'explain command requires a nested object');
    const verbosity = typeof cmd.verbosity === 'string' ? cmd.verbosity : 'allPlansExecution';
    return explainCommand(cmd.explain, verbosity, db, ctx);
  },
};
