import mongoose, { type Connection } from 'mongoose';
import { withTimeout } from '../redis/connection.js';

export interface MongoHandle {
  connection: Connection;
  /** The URI actually used (for memory:// this is the embedded server's address). */
  uri: string;
  close(): Promise<void>;
}

/**
 * Opens the mongoose connection. `memory://` starts the embedded MongoDB-compatible store in this
 * process (loaded lazily so production images never load it unless asked).
 */
export async function connectMongo(uri: string): Promise<MongoHandle> {
  let stopEmbedded: (() => Promise<void>) | undefined;
  let target = uri;
  if (uri === 'memory://') {
    const { startEmbeddedMongo } = await import('../../../devstack/mongo/index.js');
    const embedded = await startEmbeddedMongo({});
    target = new URL('puente', embedded.uri).toString();
    stopEmbedded = embedded.stop;
  }
  const connection = mongoose.createConnection(target, { serverSelectionTimeoutMS: 5_000, autoIndex: true });
  try {
    await connection.asPromise();
  } catch (err) {
    await stopEmbedded?.();
    throw err;
  }
  return {
    connection,
    uri: target,
    async close() {
      await connection.close();
      await stopEmbedded?.();
    },
  };
}

/** `ping` with a deadline; used by /readyz. */
export async function pingMongo(connection: Connection, timeoutMs = 1_000): Promise<void> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) throw new Error('MongoDB is not connected');
  await withTimeout(db.command({ ping: 1 }), timeoutMs, 'MongoDB did not answer ping');
}
