/**
 * `aggregate`, executed by mingo. `$lookup`/`$unionWith`/`$graphLookup` resolve collections of the
 * same database; `$out` is handled here so its writes go through the store and its indexes.
 * A head of `$match`/`$skip`/`$limit`/`$group` in the simple shapes runs first without mingo
 * (fast/pipeline.ts); mingo runs the rest of the pipeline on its output.
 */
import type { Document } from '../bson.js';
import { Aggregator, ProcessingMode } from 'mingo';
import { Collection } from '../collection.js';
import { badValue, MongoCommandError } from '../errors.js';
import { runHead } from '../fast/pipeline.js';
import { candidates } from '../planner.js';
import type { Store } from '../store.js';
import { isPlainObject } from '../values.js';
import { arrayArg, type CommandTable } from './context.js';

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
    if (cmd.explain === true) throw new MongoCommandError('CommandNotSupported', 'explain is not supported by the embedded server');
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
    const head = coll && runHead(coll, stages);
    const leadingMatch: unknown = stages[0]?.$match;
    const input = head ? head.input : !coll ? [] : isPlainObject(leadingMatch) ? candidates(coll, leadingMatch) : coll.docs.values();

    const results = new Aggregator(head ? head.rest : stages, {
      collectionResolver: ctx.store.resolver(db),
      // Stages such as $addFields write into nested objects; inputs are the stored documents.
      processingMode: ProcessingMode.CLONE_INPUT,
      variables: isPlainObject(cmd.let) ? cmd.let : undefined,
    }).run<Document>(input);

    if (target) {
      writeOut(ctx.store, target, results);
      ctx.cursors.killNamespace(target.db, target.coll);
      return ctx.cursors.start(`${db}.${String(cmd.aggregate)}`, [], 0);
    }
    const ns = collectionLevel ? `${db}.${cmd.aggregate as string}` : `${db}.$cmd.aggregate`;
    return ctx.cursors.start(ns, results, (cmd.cursor as Document).batchSize);
  },
};
