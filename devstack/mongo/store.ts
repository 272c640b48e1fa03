/**
 * The in-memory catalog: databases → collections. A database exists while it has collections,
 * matching how mongod lists databases.
 */
import type { Document } from './bson.js';
import { Collection } from './collection.js';
import { MongoCommandError } from './errors.js';
import { cloneDoc } from './values.js';

const INVALID_DB_CHARS = /[/\\. "$*<>:|?\0]/;

/** Throws InvalidNamespace for names mongod would refuse. */
export function assertValidNamespace(db: string, coll?: string): void {
  if (!db || INVALID_DB_CHARS.test(db) || db.length > 63) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
  if (coll !== undefined && (!coll || coll.includes('$') || coll.includes('\0') || coll.startsWith('.'))) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${coll}`);
  }
}

export class Store {
  private readonly databases = new Map<string, Map<string, Collection>>();

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  getCollection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** Returns the collection, creating it implicitly (as inserts/upserts/createIndexes do). */
  ensureCollection(db: string, name: string, options: Document = {}): { coll: Collection; created: boolean } {
    const existing = this.getCollection(db, name);
    if (existing) return { coll: existing, created: false };
    assertValidNamespace(db, name);
    const coll = new Collection(db, name, options);
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    colls.set(name, coll);
    return { coll, created: true };
  }

  /** Puts a fully built collection in place (used by `$out` and `renameCollection`). */
  install(coll: Collection): void {
    this.dropCollection(coll.db, coll.name);
    const colls = this.databases.get(coll.db) ?? new Map<string, Collection>();
    colls.set(coll.name, coll);
    this.databases.set(coll.db, colls);
  }

  dropCollection(db: string, name: string): Collection | undefined {
    const colls = this.databases.get(db);
    const coll = colls?.get(name);
    if (!colls || !coll) return undefined;
    colls.delete(name);
    if (colls.size === 0) this.databases.delete(db);
    return coll;
  }

  dropDatabase(db: string): boolean {
    return this.databases.delete(db);
  }

  /**
   * mingo's `collectionResolver` for `$lookup`/`$unionWith`/`$graphLookup` within one database.
   * Copies are handed out because mingo stages may mutate nested objects of joined documents.
   */
  resolver(db: string): (name: string) => Document[] {
    return (name) => [...(this.getCollection(db, name)?.docs.values() ?? [])].map(cloneDoc);
  }
}
