/**
 * Embedded MongoDB-wire-compatible server for development and tests (no mongod available here).
 * It behaves like a standalone mongod 7.0 for what Puente uses; see docs/embedded-mongo.md for
 * the known differences. Production points MONGODB_URI at a real server instead.
 */
import { CursorManager } from './cursors.js';
import { loadSnapshot, saveSnapshot } from './persistence.js';
import { WireServer } from './server.js';
import { Store } from './store.js';
import { startMaintenance } from './ttl.js';

/** Options of {@link startEmbeddedMongo}. */
export interface EmbeddedMongoOptions {
  /** TCP port; 0 or undefined picks a free port. */
  port?: number;
  /** Interface to bind; defaults to 127.0.0.1. */
  host?: string;
  /** EJSON snapshot file: loaded on start if present, written on stop. Off when undefined. */
  dataFile?: string;
  /** TTL sweep interval in ms (mongod uses 60 000); defaults to 1000 so expiry shows up quickly. */
  ttlSweepMs?: number;
}

/** A running embedded server. */
export interface EmbeddedMongo {
  /** Connection string without a database path, e.g. `mongodb://127.0.0.1:27017/?directConnection=true`. */
  readonly uri: string;
  readonly port: number;
  /** Closes every client connection and the listener, stops timers, writes the snapshot if configured. */
  stop(): Promise<void>;
}

/** Starts the embedded server in this process. */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  if (options.dataFile) await loadSnapshot(store, options.dataFile);
  const cursors = new CursorManager();
  const server = new WireServer(store, cursors);
  const { port } = await server.listen(options.port ?? 0, host);
  const stopMaintenance = startMaintenance(store, cursors, options.ttlSweepMs ?? 1000);
  let stopping: Promise<void> | undefined;
  return {
    uri: `mongodb://${uriHost(host)}:${port}/?directConnection=true`,
    port,
    stop() {
      stopping ??= (async () => {
        stopMaintenance();
        await server.close();
        cursors.clear();
        if (options.dataFile) await saveSnapshot(store, options.dataFile);
      })();
      return stopping;
    },
  };
}

/** Wildcard binds are reached via loopback; IPv6 literals need brackets in a URI. */
function uriHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
