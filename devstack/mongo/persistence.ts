/**
 * Optional snapshot of the whole store to one Extended JSON file (canonical mode, so every BSON
 * type round-trips): written on stop, read on start. Off unless a data file is configured.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { EJSON, type Document } from './bson.js';
import { Collection } from './collection.js';
import type { IndexSpec } from './indexes.js';
import type { Store } from './store.js';
import { asWireDocument } from './wire.js';

interface SnapshotCollection {
  db: string;
  name: string;
  options: Document;
  indexes: IndexSpec[];
  documents: Document[];
}

/** Writes the store atomically (temp file + rename) so a crash never leaves half a snapshot. */
export async function saveSnapshot(store: Store, file: string): Promise<void> {
  const collections: SnapshotCollection[] = [];
  for (const db of store.databaseNames()) {
    for (const coll of store.collections(db)) {
      collections.push({
        db,
        name: coll.name,
        options: coll.options,
        indexes: coll.indexes.map((i) => i.spec),
        documents: [...coll.docs.values()],
      });
    }
  }
  const tmp = `${file}.tmp`;
  await writeFile(tmp, EJSON.stringify({ version: 1, collections }, { relaxed: false }));
  await rename(tmp, file);
}

/** Loads a snapshot if the file exists; returns the number of collections restored. */
export async function loadSnapshot(store: Store, file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const parsed = EJSON.parse(await readFile(file, 'utf8'), { relaxed: false }) as { collections?: SnapshotCollection[] };
  const collections = parsed.collections ?? [];
  // Canonical EJSON yields Int32/Double/Long wrappers; documents must look as if read off the wire.
  for (const saved of collections) {
    const coll = new Collection(saved.db, saved.name, asWireDocument(saved.options));
    for (const spec of saved.indexes) coll.createIndex(asWireDocument(spec) as IndexSpec);
    for (const doc of saved.documents) coll.insert(asWireDocument(doc));
    store.install(coll);
  }
  return collections.length;
}
