/**
 * Shared plumbing for the conformance suite: one database per test file on the injected server
 * (embedded by default, real MongoDB when MONGODB_URI is set), dropped afterwards.
 */
import { MongoClient, type Db } from '../../helpers/mongo-driver.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

export interface TestDb {
  readonly uri: string;
  readonly client: MongoClient;
  readonly db: Db;
  /** Drops the database and closes the client. */
  dispose(): Promise<void>;
}

/** Connects a driver client to a fresh database named after `prefix`. */
export async function openTestDb(prefix: string): Promise<TestDb> {
  const uri = mongoUriFor(uniqueDbName(prefix));
  const client = await MongoClient.connect(uri);
  const db = client.db();
  return {
    uri,
    client,
    db,
    async dispose() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** True when the server is Puente's embedded one (its buildInfo carries a marker field). */
export async function isEmbedded(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return info.puenteEmbedded === true;
}

/** Host and port of a single-host `mongodb://` URI (for raw-socket tests). */
export function hostPort(uri: string): { host: string; port: number } {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(uri);
  const hostPart = match?.[1] ?? '127.0.0.1:27017';
  const at = hostPart.lastIndexOf(':');
  const host = at > 0 ? hostPart.slice(0, at).replace(/^\[|\]$/g, '') : hostPart;
  return { host, port: at > 0 ? Number(hostPart.slice(at + 1)) : 27017 };
}

/** Polls `check` until it returns true or `timeoutMs` elapses. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}
