/**
 * `findAndModify`: the atomic read-modify-write behind findOneAndUpdate/Replace/Delete.
 * Unlike the `update` command, its failures (e.g. E11000 on upsert) are top-level command errors.
 */
import { MongoCommandError } from '../errors.js';
import { asFilter, firstMatch, project } from '../query.js';
import { applyUpdate, buildUpsertDoc } from '../update.js';
import { encodeKey } from '../values.js';
import { collectionName, type CommandHandler } from './context.js';

function parseError(message: string): MongoCommandError {
  return new MongoCommandError('FailedToParse', message);
}

const findAndModify: CommandHandler = (cmd, db, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] as string);
  const filter = asFilter(cmd.query, 'query');
  const remove = cmd.remove === true;
  const hasUpdate = cmd.update !== undefined;
  if (remove && hasUpdate) throw parseError('Cannot specify both an update and remove=true');
  if (!remove && !hasUpdate) throw parseError('Either an update or remove=true must be specified');
  if (remove && cmd.upsert === true) throw parseError('Cannot specify both upsert=true and remove=true');
  if (remove && cmd.new === true) throw parseError('Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');

  const coll = ctx.store.getCollection(db, name);
  const target = firstMatch(coll, filter, cmd.sort, { hint: cmd.hint, collation: cmd.collation });

  if (remove) {
    if (coll && target) coll.remove(target);
    return { lastErrorObject: { n: target ? 1 : 0 }, value: target ? project(target, cmd.fields, filter) : null, ok: 1 };
  }

  const input = { filter, update: cmd.update, arrayFilters: cmd.arrayFilters };
  if (coll && target) {
    const next = applyUpdate(target, input);
    if (encodeKey(next) !== encodeKey(target)) coll.replace(target, next);
    const value = cmd.new === true ? next : target;
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(value, cmd.fields, filter), ok: 1 };
  }
  if (cmd.upsert !== true) {
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  }
  const inserted = ctx.store.ensureCollection(db, name).coll.insert(buildUpsertDoc(input));
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
    value: cmd.new === true ? project(inserted, cmd.fields, filter) : null,
    ok: 1,
  };
};

export const findAndModifyCommands = { findAndModify, findandmodify: findAndModify };
