/**
 * One collection: documents in natural (insertion) order keyed by `_id`, plus secondary indexes.
 * Every mutation checks all unique constraints before touching anything, so a failed write
 * leaves the collection unchanged (per-document atomicity). Stored documents are never mutated
 * in place: updates build a new object, so open cursors keep a consistent snapshot.
 */
import { ObjectId, type Document } from './bson.js';
import { badValue, duplicateKeyError, MongoCommandError } from './errors.js';
import { IDENTITY_OPTIONS, SecondaryIndex, type IndexKey, type IndexSpec } from './indexes.js';
import { encodeKey } from './values.js';

/** The `_id_` index every collection has; it is implemented by the primary Map itself. */
export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  /** Documents by canonical `_id` encoding; Map iteration order is mongod's natural order. */
  readonly docs = new Map<string, Document>();
  readonly indexes: SecondaryIndex[] = [];

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Inserts a document the caller owns (it is stored as-is); adds `_id` first if missing. */
  insert(input: Document): Document {
    const doc = withIdFirst(input);
    if (Array.isArray(doc._id)) throw badValue(`can't use an array for _id`);
    const id = encodeKey(doc._id);
    if (this.docs.has(id)) throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc._id });
    const keys = this.checkUnique(doc, id);
    this.docs.set(id, doc);
    this.indexes.forEach((index, i) => index.add(keys[i] as IndexKey[], id, doc));
    return doc;
  }

  /**
   * Swaps a stored document for its updated version (same `_id`). Most updates touch no indexed
   * field (`updated_at`, `status`...): an index whose keys are unchanged is only pointed at the
   * new document, which is cheaper and keeps the document's place among equal keys; the others
   * drop the old keys and add the new ones.
   */
  replace(oldDoc: Document, newDoc: Document): void {
    const id = encodeKey(oldDoc._id);
    const newKeys = this.checkUnique(newDoc, id);
    this.indexes.forEach((index, i) => {
      const keys = newKeys[i] as IndexKey[];
      const oldKeys = index.keysOf(oldDoc);
      if (sameKeys(oldKeys, keys)) index.update(keys, id, newDoc);
      else {
        index.remove(oldKeys, id);
        index.add(keys, id, newDoc);
      }
    });
    this.docs.set(id, newDoc);
  }

  remove(doc: Document): void {
    const id = encodeKey(doc._id);
    if (!this.docs.delete(id)) return;
    for (const index of this.indexes) index.remove(index.keysOf(doc), id);
  }

  /** All index specs, `_id_` first, as `listIndexes` reports them. */
  indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...this.indexes.map((i) => i.spec)];
  }

  /**
   * Adds an index; returns false when an identical one exists. Building fails (and nothing
   * changes) if existing documents violate a unique constraint, as on mongod.
   */
  createIndex(spec: IndexSpec): boolean {
    const specs = this.indexSpecs();
    const byName = specs.find((s) => s.name === spec.name);
    if (byName) {
      assertSameIndex(byName, spec);
      return false;
    }
    // Same key with a different partial filter/collation is a distinct index on mongod too.
    const byKey = specs.find((s) => sameKey(s, spec) && sameOptions(s, spec, ['partialFilterExpression', 'collation']));
    if (byKey) {
      throw new MongoCommandError('IndexOptionsConflict', `Index already exists with a different name: ${byKey.name}`);
    }
    const index = new SecondaryIndex(spec);
    for (const [id, doc] of this.docs) {
      const keys = index.keysOf(doc);
      const clash = index.conflict(keys, id);
      if (clash) throw duplicateKeyError(this.ns, spec.name, spec.key, index.keyValue(clash));
      index.add(keys, id, doc);
    }
    this.indexes.push(index);
    return true;
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
  }

  /** Computes each index's keys for `doc`, throwing E11000 if another document holds one. */
  private checkUnique(doc: Document, id: string): IndexKey[][] {
    return this.indexes.map((index) => {
      const keys = index.keysOf(doc);
      const clash = index.conflict(keys, id);
      if (clash) throw duplicateKeyError(this.ns, index.name, index.spec.key, index.keyValue(clash));
      return keys;
    });
  }
}

/** mongod stores `_id` as the first field and generates an ObjectId when absent. */
export function withIdFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id') return doc;
  const out: Document = { _id: doc._id === undefined ? new ObjectId() : doc._id };
  for (const key of keys) if (key !== '_id') out[key] = doc[key];
  return out;
}

/** The same key encodings in the same order (encodings, not values: they are what buckets hold). */
function sameKeys(a: readonly IndexKey[], b: readonly IndexKey[]): boolean {
  return a.length === b.length && a.every((key, i) => key.encoded === (b[i] as IndexKey).encoded);
}

function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  return encodeKey(a.key) === encodeKey(b.key);
}

function sameOptions(a: IndexSpec, b: IndexSpec, options: readonly string[] = IDENTITY_OPTIONS): boolean {
  return options.every((o) => encodeKey(a[o] ?? null) === encodeKey(b[o] ?? null));
}

/** Re-creating an index by name is a no-op only when key and options match (mongod errors 85/86). */
function assertSameIndex(existing: IndexSpec, wanted: IndexSpec): void {
  if (!sameKey(existing, wanted)) {
    throw new MongoCommandError(
      'IndexKeySpecsConflict',
      `An existing index has the same name as the requested index but a different key specification. Requested index: ${wanted.name}`,
    );
  }
  if (!sameOptions(existing, wanted)) {
    throw new MongoCommandError(
      'IndexOptionsConflict',
      `An existing index has the same name as the requested index but different options. Requested index: ${wanted.name}`,
    );
  }
}
