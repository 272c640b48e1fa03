/**
 * `insert`, `update` and `delete`. Each statement is applied atomically; failures become
 * `writeErrors` entries with the statement index, and ordered batches stop at the first one,
 * exactly as mongod reports them (`n` counts only what succeeded).
 */
import type { Document } from '../bson.js';
import type { Collection } from '../collection.js';
import { MongoCommandError, toCommandError } from '../errors.js';
import { asFilter, firstMatch, matchAll, type ReadOptions } from '../query.js';
import { applyUpdate, assertUpdateShape, buildUpsertDoc, isOperatorUpdate, type UpdateInput } from '../update.js';
import { encodeKey, isPlainObject } from '../values.js';
import { arrayArg, collectionName, type CommandContext, type CommandTable } from './context.js';

/** Result of one update statement. */
export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
}

/** Runs statements in order, collecting write errors like mongod's batch executor. */
function runBatch(cmd: Document, statements: unknown[], apply: (statement: unknown) => void): Document[] {
  const ordered = cmd.ordered !== false;
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      apply(statements[i]);
    } catch (err) {
      writeErrors.push(toCommandError(err).toWriteError(i));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function reply(fields: Document, writeErrors: Document[]): Document {
  return writeErrors.length ? { ...fields, writeErrors, ok: 1 } : { ...fields, ok: 1 };
}

/**
 * Executes one update statement (the collection is created on upsert). Multi-document updates
 * are applied document by document, each atomically, as on mongod.
 */
function executeUpdate(ctx: CommandContext, db: string, name: string, input: UpdateInput, multi: boolean, upsert: boolean, read: ReadOptions): UpdateOutcome {
  assertUpdateShape(input.update);
  if (multi && !Array.isArray(input.update) && !isOperatorUpdate(input.update)) {
    throw new MongoCommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const coll: Collection | undefined = ctx.store.getCollection(db, name);
  const targets = coll ? (multi ? matchAll(coll, input.filter, read) : [firstMatch(coll, input.filter, undefined, read)].filter((d) => d !== undefined)) : [];
  let modified = 0;
  for (const doc of targets) {
    const next = applyUpdate(doc, input);
    if (encodeKey(next) !== encodeKey(doc)) {
      (coll as Collection).replace(doc, next);
      modified++;
    }
  }
  if (targets.length > 0 || !upsert) return { matched: targets.length, modified };
  const inserted = ctx.store.ensureCollection(db, name).coll.insert(buildUpsertDoc(input));
  return { matched: 0, modified: 0, upsertedId: inserted._id };
}

export const writeCommands: CommandTable = {
  insert: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'insert');
    const documents = arrayArg(cmd, 'documents');
    const coll = ctx.store.ensureCollection(db, name).coll;
    let n = 0;
    const writeErrors = runBatch(cmd, documents, (doc) => {
      if (!isPlainObject(doc)) throw new MongoCommandError('BadValue', 'document to insert must be an object');
      coll.insert(doc);
      n++;
    });
    return reply({ n }, writeErrors);
  },

  update: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'update');
    const updates = arrayArg(cmd, 'updates');
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    let index = 0;
    const writeErrors = runBatch(cmd, updates, (statement) => {
      const at = index++;
      if (!isPlainObject(statement)) throw new MongoCommandError('BadValue', 'update statement must be an object');
      const input = { filter: asFilter(statement.q, 'q'), update: statement.u, arrayFilters: statement.arrayFilters };
      const read = { hint: statement.hint, collation: statement.collation };
      const outcome = executeUpdate(ctx, db, name, input, statement.multi === true, statement.upsert === true, read);
      n += outcome.matched;
      nModified += outcome.modified;
      if (outcome.upsertedId !== undefined) {
        n++;
        upserted.push({ index: at, _id: outcome.upsertedId });
      }
    });
    return reply(upserted.length ? { n, nModified, upserted } : { n, nModified }, writeErrors);
  },

  delete: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'delete');
    const deletes = arrayArg(cmd, 'deletes');
    const coll = ctx.store.getCollection(db, name);
    let n = 0;
    const writeErrors = runBatch(cmd, deletes, (statement) => {
      if (!isPlainObject(statement)) throw new MongoCommandError('BadValue', 'delete statement must be an object');
      const limit = Number(statement.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw new MongoCommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1.');
      const filter = asFilter(statement.q, 'q');
      if (!coll) return;
      const read = { hint: statement.hint, collation: statement.collation };
      const victims = limit === 1 ? [firstMatch(coll, filter, undefined, read)].filter((d) => d !== undefined) : matchAll(coll, filter, read);
      for (const doc of victims) coll.remove(doc);
      n += victims.length;
    });
    return reply({ n }, writeErrors);
  },
};
