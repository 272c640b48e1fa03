/** `createIndexes`, `listIndexes`, `dropIndexes` with mongod's replies and error codes. */
import type { Document } from '../bson.js';
import { badValue, MongoCommandError } from '../errors.js';
import { normalizeIndexSpec } from '../indexes.js';
import { encodeKey, formatValue, isPlainObject } from '../values.js';
import { arrayArg, collectionName, docArg, type CommandTable } from './context.js';

function namespaceNotFound(ns: string): MongoCommandError {
  return new MongoCommandError('NamespaceNotFound', `ns does not exist: ${ns}`);
}

export const indexCommands: CommandTable = {
  createIndexes: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'createIndexes');
    const specs = arrayArg(cmd, 'indexes').map(normalizeIndexSpec);
    if (specs.length === 0) throw badValue('Must specify at least one index to create');
    const { coll, created } = ctx.store.ensureCollection(db, name);
    // Indexes inherit the collection's default collation unless they name one (`{locale: "simple"}` included).
    if (coll.options.collation !== undefined) for (const spec of specs) spec.collation ??= coll.options.collation;
    const before = coll.indexes.length + 1;
    let added = 0;
    for (const spec of specs) if (coll.createIndex(spec)) added++;
    const reply: Document = {
      numIndexesBefore: before,
      numIndexesAfter: coll.indexes.length + 1,
      createdCollectionAutomatically: created,
      ok: 1,
    };
    if (added === 0) reply.note = 'all indexes already exist';
    return reply;
  },

  listIndexes: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'listIndexes');
    const coll = ctx.store.getCollection(db, name);
    if (!coll) throw namespaceNotFound(`${db}.${name}`);
    return ctx.cursors.start(`${db}.$cmd.listIndexes.${name}`, coll.indexSpecs(), docArg(cmd, 'cursor')?.batchSize);
  },

  dropIndexes: (cmd, db, ctx) => {
    const name = collectionName(cmd, Object.keys(cmd)[0] as string);
    const coll = ctx.store.getCollection(db, name);
    if (!coll) throw namespaceNotFound(`${db}.${name}`);
    const nIndexesWas = coll.indexes.length + 1;
    const which: unknown = cmd.index;
    let names: string[];
    if (which === '*') names = coll.indexes.map((i) => i.name);
    else if (typeof which === 'string') names = [which];
    else if (Array.isArray(which) && which.every((n) => typeof n === 'string')) names = which as string[];
    else if (isPlainObject(which)) {
      const match = coll.indexSpecs().find((s) => encodeKey(s.key) === encodeKey(which));
      if (!match) throw new MongoCommandError('IndexNotFound', `can't find index with key: ${formatValue(which)}`);
      names = [match.name];
    } else throw badValue(`BSON field 'dropIndexes.index' is the wrong type`);
    for (const indexName of names) {
      if (indexName === '_id_') throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
      if (!coll.indexes.some((i) => i.name === indexName)) {
        throw new MongoCommandError('IndexNotFound', `index not found with name [${indexName}]`);
      }
    }
    for (const indexName of names) coll.dropIndex(indexName);
    return { nIndexesWas, ok: 1 };
  },
};

indexCommands.deleteIndexes = indexCommands.dropIndexes as NonNullable<CommandTable['dropIndexes']>;
