/** Read commands: `find`, `getMore`, `killCursors`, `count`, `distinct`. */
import { badValue } from '../errors.js';
import { collationKey, parseCollation } from '../collation.js';
import { asFilter, countMatches, findDocs, matchAll } from '../query.js';
import { EMPTY_ARRAY, encodeKey, pathValues } from '../values.js';
import { arrayArg, collectionName, type CommandTable } from './context.js';

export const readCommands: CommandTable = {
  find: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'find');
    const limit = Number(cmd.limit ?? 0);
    const docs = findDocs(ctx.store.getCollection(db, name), {
      filter: cmd.filter,
      sort: cmd.sort,
      skip: cmd.skip,
      limit,
      projection: cmd.projection,
      hint: cmd.hint,
      collation: cmd.collation,
    });
    // A negative limit is the legacy spelling of "one batch, then close".
    const singleBatch = cmd.singleBatch === true || limit < 0;
    return ctx.cursors.start(`${db}.${name}`, docs, cmd.batchSize, singleBatch);
  },

  getMore: (cmd, db, ctx) => {
    if (typeof cmd.collection !== 'string') throw badValue(`BSON field 'getMore.collection' is missing but a required field`);
    return ctx.cursors.more(cmd.getMore, `${db}.${cmd.collection}`, cmd.batchSize);
  },

  killCursors: (cmd, _db, ctx) => {
    collectionName(cmd, 'killCursors');
    return ctx.cursors.kill(arrayArg(cmd, 'cursors'));
  },

  count: (cmd, db, ctx) => {
    const coll = ctx.store.getCollection(db, collectionName(cmd, 'count'));
    if (!coll) return { n: 0, ok: 1 };
    const filter = asFilter(cmd.query, 'query');
    const skip = Math.max(0, Number(cmd.skip ?? 0));
    const limit = Math.abs(Number(cmd.limit ?? 0));
    const n = Math.max(0, countMatches(coll, filter, { hint: cmd.hint, collation: cmd.collation }) - skip);
    return { n: limit ? Math.min(n, limit) : n, ok: 1 };
  },

  distinct: (cmd, db, ctx) => {
    const coll = ctx.store.getCollection(db, collectionName(cmd, 'distinct'));
    if (typeof cmd.key !== 'string') throw badValue(`BSON field 'distinct.key' is missing but a required field`);
    const key = cmd.key;
    const filter = asFilter(cmd.query, 'query');
    const values = new Map<string, unknown>();
    const collation = parseCollation(cmd.collation ?? coll?.options.collation);
    if (coll) {
      for (const doc of matchAll(coll, filter, { hint: cmd.hint, collation: cmd.collation })) {
        for (const value of pathValues(doc, key)) {
          // Missing fields and empty arrays contribute nothing, as in mongod.
          if (value === undefined || value === EMPTY_ARRAY) continue;
          // Under a collation, strings equal by it are one value (the first seen is kept).
          const encoded = collation && typeof value === 'string' ? `c${collationKey(value, collation)}` : encodeKey(value);
          if (!values.has(encoded)) values.set(encoded, value);
        }
      }
    }
    return { values: [...values.values()], ok: 1 };
  },
};
