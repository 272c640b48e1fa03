/**
 * Per-test-file MongoDB databases on the server chosen by test/global-setup.ts (the embedded
 * server, or a real one when MONGODB_URI is set).
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { inject } from 'vitest';

/**
 * The injected base URI with its database path set to `dbName` (host list and query string,
 * e.g. `directConnection` or `replicaSet`, are kept as given).
 */
export function mongoUriFor(dbName: string): string {
  const base = inject('mongoUri');
  const schemeEnd = base.indexOf('://') + 3;
  const queryAt = base.indexOf('?', schemeEnd);
  const query = queryAt >= 0 ? base.slice(queryAt) : '';
  const beforeQuery = queryAt >= 0 ? base.slice(0, queryAt) : base;
  const pathAt = beforeQuery.indexOf('/', schemeEnd);
  const hosts = pathAt >= 0 ? beforeQuery.slice(0, pathAt) : beforeQuery;
  return `${hosts}/${encodeURIComponent(dbName)}${query}`;
}

/** A database name unique to this run and call: `<prefix>_<pid>_<random>`, within MongoDB's 63-byte limit. */
export function uniqueDbName(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * Drops the database at `uri` through a connection of its own: after `running.stop()` the app's
 * connection is closed, and an operation on it waits 10 s in mongoose's buffer before failing.
 * Nothing to do without a URI (a test that never started).
 */
export async function dropDatabaseAt(uri: string | undefined): Promise<void> {
  if (uri === undefined) return;
  const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}
