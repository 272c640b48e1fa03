/**
 * The embedded MongoDB-compatible store as its own process (`devstack/mongo/cli.ts`), as MongoDB is
 * a separate server in production: its CPU then shows apart from Puente's instead of inside its loop.
 */
import readline from 'node:readline';
import { freePort, spawnTs, stopChild } from './children.js';

/** A running store; every scenario gets its own database in it. */
export interface MongoServer {
  pid: number | undefined;
  /** e.g. `mongodb://127.0.0.1:41234` */
  address: string;
  /** The URI of database `db` on this server. */
  uriFor(db: string): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx devstack/mongo/cli.ts --port <free port>` and waits for its URI line.
 * `nodeArgs` go to node (e.g. `--cpu-prof` with `--profile`).
 */
export async function startMongoServer(nodeArgs: string[] = [], timeoutMs = 30_000): Promise<MongoServer> {
  const child = spawnTs('devstack/mongo/cli.ts', { stdio: ['ignore', 'pipe', 'pipe'] }, nodeArgs, ['--port', String(await freePort())]);
  const lines: string[] = [];
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded MongoDB did not start in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (lines.length < 40) lines.push(line);
        const m = /(mongodb:\/\/[^/\s]+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded MongoDB exited (code ${code}):\n${lines.join('\n')}`));
    });
  });
  return {
    pid: child.pid,
    address,
    uriFor: (db) => `${address}/${db}?directConnection=true`,
    stop: () => stopChild(child, 3_000),
  };
}
