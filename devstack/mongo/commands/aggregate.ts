/**
 * `aggregate`, executed by mingo. `$lookup`/`$unionWith`/`$graphLookup` resolve collections of the
 * same database; `$out` is handled here so its writes go through the store and its indexes.
 * A head of `$match`/`$skip`/`$limit`/`$group` in the simple shapes runs first without mingo
 * (fast/pipeline.ts); mingo runs the rest of the pipeline on its output.
 */
import type { Document } from '../bson.js';
import { ProcessingMode } from 'mingo';
import { Collection } from '../collection.js';
import { badValue, MongoCommandError } from '../errors.js';
import { collateFilter, parseCollation } from '../collation.js';
import { runHead } from '../fast/pipeline.js';
import type { TextScores } from '../projection.js';
import { matchWithScores } from '../query.js';
import { splitText } from '../text.js';
import type { CollationSpec } from 'mingo/types';
import { explainCommand } from './explain.js';
import { makeAggregator } from '../mingo-options.js';
import { candidates } from '../planner.js';
import type { Store } from '../store.js';
import { isPlainObject } from '../values.js';
import { arrayArg, type CommandTable } from './context.js';

/** The hidden field carrying a document's `$text` score through a pipeline (removed from the results). */
const TEXT_SCORE = '__puente_textScore';

/** A stage with `{$meta: "textScore"}` read from the hidden score field (sort keys: descending score). */
function withTextScore(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withTextScore(v));
  if (!isPlainObject(value)) return value;
  if (Object.keys(value).length === 1 && value.$meta === 'textScore') return `$${TEXT_SCORE}`;
  const out: Document = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$sort' && isPlainObject(v)) {
      const sort: Document = {};
      for (const [field, dir] of Object.entries(v)) {
        if (isPlainObject(dir) && dir.$meta === 'textScore') sort[TEXT_SCORE] = -1;
        else sort[field] = dir;
      }
      out[key] = sort;
    } else out[key] = withTextScore(v);
  }
  return out;
}

function pipelineArg(cmd: Document): Document[] {
  const pipeline = arrayArg(cmd, 'pipeline');
  if (!pipeline.every((stage) => isPlainObject(stage) && Object.keys(stage).length === 1)) {
    throw new MongoCommandError('FailedToParse', 'A pipeline stage specification object must contain exactly one field.');
  }
  return pipeline as Document[];
}

function outTarget(stage: Document | undefined, db: string): { db: string; coll: string } | undefined {
  const spec: unknown = stage?.$out;
  if (spec === undefined) return undefined;
  if (typeof spec === 'string') return { db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === 'string') return { db: typeof spec.db === 'string' ? spec.db : db, coll: spec.coll };
  throw badValue('$out stage requires a collection name or {db, coll}');
}

/** Replaces the `$out` target's documents, keeping its indexes (as mongod does). */
function writeOut(store: Store, target: { db: string; coll: string }, docs: Document[]): void {
  const previous = store.getCollection(target.db, target.coll);
  const next = new Collection(target.db, target.coll, previous?.options ?? {});
  for (const spec of previous?.indexes.map((i) => i.spec) ?? []) next.createIndex(spec);
  for (const doc of docs) next.insert(doc);
  store.install(next);
}

export const aggregateCommands: CommandTable = {
  aggregate: (cmd, db, ctx) => {
    const pipeline = pipelineArg(cmd);
    if (cmd.explain === true) {
      const inner: Document = { ...cmd };
      delete inner.explain;
      return explainCommand(inner, 'queryPlanner', db, ctx);
    }
    if (!isPlainObject(cmd.cursor)) {
      throw new MongoCommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
    }
    if (pipeline.some((stage) => '$changeStream' in stage)) {
      // What a standalone mongod answers: change streams need a replica set's oplog.
      throw new MongoCommandError('Location40573', 'The $changeStream stage is only supported on replica sets');
    }
    if (pipeline.some((stage) => '$merge' in stage)) {
      throw new MongoCommandError('CommandNotSupported', '$merge is not supported by the embedded server; use $out');
    }
    const target = outTarget(pipeline.at(-1), db);
    const stages = target ? pipeline.slice(0, -1) : pipeline;
    if (stages.some((stage) => '$out' in stage)) throw badValue('$out can only be the final stage in the pipeline');

    const collectionLevel = typeof cmd.aggregate === 'string';
    if (!collectionLevel && cmd.aggregate !== 1) throw badValue("Invalid 'aggregate' field: must be a collection name or 1");
    const coll = collectionLevel ? ctx.store.getCollection(db, cmd.aggregate as string) : undefined;
    const collation = parseCollation(cmd.collation ?? coll?.options.collation);
    const leadingMatch: unknown = stages[0]?.$match;
    const text = isPlainObject(leadingMatch) && splitText(leadingMatch).text !== undefined;
    if (!coll && text) throw new MongoCommandError('IndexNotFound', 'text index required for $text query');
    // A collation, a hint or $text take the general path: the leading $match is run by query.ts.
    const general = collation !== undefined || cmd.hint !== undefined || text;
    let head = coll && !general ? runHead(coll, stages) : undefined;
    let scores: TextScores | undefined;
    if (coll && general) {
      const matched = matchWithScores(coll, isPlainObject(leadingMatch) ? leadingMatch : {}, { hint: cmd.hint, collation });
      scores = matched.scores;
      const input = scores ? matched.docs.map((doc) => ({ ...doc, [TEXT_SCORE]: scores?.get(doc) })) : matched.docs;
      head = { input, rest: isPlainObject(leadingMatch) ? stages.slice(1) : stages };
    }
    const input = head ? head.input : !coll ? [] : isPlainObject(leadingMatch) ? candidates(coll, leadingMatch) : coll.docs.values();
    let rest = head ? head.rest : stages;
    if (collation) rest = rest.map((stage) => (isPlainObject(stage.$match) ? { $match: collateFilter(stage.$match, collation) } : stage));
    if (scores) rest = rest.map((stage) => withTextScore(stage) as Document);

    let results = makeAggregator(rest, {
      collectionResolver: ctx.store.resolver(db),
      // Stages such as $addFields write into nested objects; inputs are the stored documents.
      processingMode: ProcessingMode.CLONE_INPUT,
      variables: isPlainObject(cmd.let) ? cmd.let : undefined,
      collation: collation as CollationSpec | undefined,
    }).run<Document>(input);
    if (scores) {
      results = results.map((doc) => {
        if (!(TEXT_SCORE in doc)) return doc;
        const { [TEXT_SCORE]: _score, ...others } = doc;
        return others;
      });
    }

    if (target) {
      writeOut(ctx.store, target, results);
      ctx.cursors.killNamespace(target.db, target.coll);
      return ctx.cursors.start(`${db}.${String(cmd.aggregate)}`, [], 0);
    }
    const ns = collectionLevel ? `${db}.${cmd.aggregate as string}` : `${db}.$cmd.aggregate`;
    return ctx.cursors.start(ns, results, (cmd.cursor as Document).batchSize);
  },
};
