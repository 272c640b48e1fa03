/** Catalog commands: create/drop collections and databases, list them, rename, stats. */
import { calculateObjectSize } from '../bson.js';
import { parseCollation } from '../collation.js';
import { compileFilter } from '../mingo-options.js';
import { Collection } from '../collection.js';
import { badValue, MongoCommandError } from '../errors.js';
import { assertValidNamespace } from '../store.js';
import { collectionName, docArg, type CommandTable } from './context.js';

/** Fields of `create` that are command plumbing rather than collection options. */
const CREATE_PLUMBING = new Set(['create', '$db', 'lsid', '$clusterTime', 'writeConcern', 'comment', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', '$readPreference']);

/** Rough data size: BSON bytes of every document (there is no disk). */
function dataSize(coll: Collection): number {
  let size = 0;
  for (const doc of coll.docs.values()) size += calculateObjectSize(doc);
  return size;
}

export const catalogCommands: CommandTable = {
  create: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'create');
    if (cmd.viewOn !== undefined) throw new MongoCommandError('CommandNotSupported', 'views are not supported by the embedded server');
    if (ctx.store.getCollection(db, name)) {
      throw new MongoCommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    parseCollation(cmd.collation);
    const options = Object.fromEntries(Object.entries(cmd).filter(([k]) => !CREATE_PLUMBING.has(k)));
    ctx.store.ensureCollection(db, name, options);
    return { ok: 1 };
  },

  drop: (cmd, db, ctx) => {
    const name = collectionName(cmd, 'drop');
    const dropped = ctx.store.dropCollection(db, name);
    ctx.cursors.killNamespace(db, name);
    // mongod 7.0 answers ok for a missing collection (no NamespaceNotFound since 7.0).
    return dropped ? { nIndexesWas: dropped.indexes.length + 1, ns: dropped.ns, ok: 1 } : { ok: 1 };
  },

  dropDatabase: (_cmd, db, ctx) => {
    ctx.store.dropDatabase(db);
    ctx.cursors.killNamespace(db);
    return { ok: 1 };
  },

  listCollections: (cmd, db, ctx) => {
    const filter = docArg(cmd, 'filter') ?? {};
    const nameOnly = cmd.nameOnly === true;
    const entries = ctx.store.collections(db).map((coll) => ({
      name: coll.name,
      type: 'collection',
      options: coll.options,
      info: { readOnly: false },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    }));
    const query = compileFilter(filter);
    const listed = entries.filter((e) => query.test(e)).map((e) => (nameOnly ? { name: e.name, type: e.type } : e));
    return ctx.cursors.start(`${db}.$cmd.listCollections`, listed, docArg(cmd, 'cursor')?.batchSize);
  },

  listDatabases: (cmd, _db, ctx) => {
    const query = compileFilter(docArg(cmd, 'filter') ?? {});
    const databases = ctx.store
      .databaseNames()
      .map((name) => {
        const sizeOnDisk = ctx.store.collections(name).reduce((sum, coll) => sum + dataSize(coll), 0);
        return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
      })
      .filter((d) => query.test(d));
    if (cmd.nameOnly === true) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
    const totalSize = databases.reduce((sum, d) => sum + d.sizeOnDisk, 0);
    return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1024 / 1024), ok: 1 };
  },

  renameCollection: (cmd, _db, ctx) => {
    const [fromDb, ...fromRest] = String(cmd.renameCollection).split('.');
    const [toDb, ...toRest] = String(cmd.to).split('.');
    const from = ctx.store.getCollection(fromDb ?? '', fromRest.join('.'));
    if (!from) throw new MongoCommandError('NamespaceNotFound', 'Source collection does not exist');
    const toName = toRest.join('.');
    assertValidNamespace(toDb ?? '', toName);
    if (ctx.store.getCollection(toDb ?? '', toName) && cmd.dropTarget !== true) {
      throw new MongoCommandError('NamespaceExists', 'target namespace exists');
    }
    const renamed = new Collection(toDb ?? '', toName, from.options);
    for (const index of from.indexes) renamed.createIndex(index.spec);
    for (const doc of from.docs.values()) renamed.insert(doc);
    ctx.store.dropCollection(from.db, from.name);
    ctx.store.install(renamed);
    ctx.cursors.killNamespace(from.db, from.name);
    return { ok: 1 };
  },

  dbStats: (_cmd, db, ctx) => {
    const colls = ctx.store.collections(db);
    const size = colls.reduce((sum, coll) => sum + dataSize(coll), 0);
    const objects = colls.reduce((sum, coll) => sum + coll.docs.size, 0);
    const indexes = colls.reduce((sum, coll) => sum + coll.indexes.length + 1, 0);
    return { db, collections: colls.length, views: 0, objects, dataSize: size, storageSize: size, indexes, ok: 1 };
  },

  collStats: (cmd, db, ctx) => {
    const coll = ctx.store.getCollection(db, collectionName(cmd, 'collStats'));
    if (!coll) throw new MongoCommandError('NamespaceNotFound', `Collection [${db}.${String(cmd.collStats)}] not found.`);
    const size = dataSize(coll);
    return { ns: coll.ns, count: coll.docs.size, size, storageSize: size, nindexes: coll.indexes.length + 1, ok: 1 };
  },

  validate: (cmd, db, ctx) => {
    const coll = ctx.store.getCollection(db, collectionName(cmd, 'validate'));
    if (!coll) throw badValue(`Collection '${db}.${String(cmd.validate)}' does not exist to validate.`);
    return { ns: coll.ns, nrecords: coll.docs.size, valid: true, errors: [], warnings: [], ok: 1 };
  },
};
