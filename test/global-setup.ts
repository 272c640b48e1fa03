/**
 * vitest globalSetup (runs once, in the main process).
 * MongoDB: uses MONGODB_URI when set (a real server), otherwise starts the embedded server on a
 * free port and stops it at teardown. Tests get the URI via `inject('mongoUri')` — use
 * `mongoUriFor(uniqueDbName(...))` from test/helpers/mongo.ts rather than reading it directly.
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../devstack/mongo/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardowns: Array<() => Promise<void>> = [];

  // `memory://` (the app's "start it in-process" setting) means the same as unset here.
  const externalMongo = process.env.MONGODB_URI;
  if (externalMongo && externalMongo !== 'memory://') {
    project.provide('mongoUri', externalMongo);
  } else {
    // Short TTL sweep so TTL expiry is observable within a test's timeout.
    const mongo = await startEmbeddedMongo({ ttlSweepMs: 250 });
    project.provide('mongoUri', mongo.uri);
    teardowns.push(() => mongo.stop());
  }

  return async () => {
    for (const teardown of teardowns.reverse()) await teardown();
  };
}
