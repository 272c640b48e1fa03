/**
 * Child processes of the bench: every one is tracked and killed when the bench exits, fails or is
 * interrupted, so no run leaves a Puente, load client or hello server behind.
 */
import { fork, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './clock.js';

/** The repository root (children run with it as cwd so `--import tsx` resolves). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const live = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Forks a TypeScript module (path relative to the repo root) with an IPC channel using structured clone. */
export function forkTs(modulePath: string, args: string[] = []): ChildProcess {
  return track(
    fork(path.join(repoRoot, modulePath), args, {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

/**
 * With `--nice-fakes` the bench process (and so the load client it forks) runs at nice 19; the
 * processes under test (Puente, the separate MongoDB) are put back to 0 as they are spawned.
 */
let systemUnderTestPriority: number | undefined;

/** Lowers this process to `nice` and has {@link spawnTs}/{@link spawnJs} children run at 0 (root, or CAP_SYS_NICE, to raise them). */
export function niceBench(nice: number): void {
  setPriority(nice);
  systemUnderTestPriority = 0;
}

function underTest(child: ChildProcess): ChildProcess {
  if (systemUnderTestPriority !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, systemUnderTestPriority);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`--nice-fakes: could not set pid ${child.pid} back to nice ${systemUnderTestPriority} (run as root or with CAP_SYS_NICE): ${(err as Error).message}`);
    }
  }
  return track(child);
}

/** Spawns `node [nodeArgs] --import tsx <modulePath> [args]` without IPC (Puente itself, the separate MongoDB). */
export function spawnTs(modulePath: string, options: SpawnOptions, nodeArgs: string[] = [], args: string[] = []): ChildProcess {
  return underTest(spawn(process.execPath, [...nodeArgs, '--import', 'tsx', modulePath, ...args], { cwd: repoRoot, ...options }));
}

/** Spawns `node [nodeArgs] <modulePath> [args]`: compiled JavaScript, no loader (Puente with `--dist`). */
export function spawnJs(modulePath: string, options: SpawnOptions, nodeArgs: string[] = [], args: string[] = []): ChildProcess {
  return underTest(spawn(process.execPath, [...nodeArgs, modulePath, ...args], { cwd: repoRoot, ...options }));
}

/** Whether the child has already exited. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!graceful && !hasExited(child)) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

/** SIGKILLs every live child, synchronously (safe in an `exit` handler). */
export function killAll(): void {
  for (const child of live) if (!hasExited(child)) child.kill('SIGKILL');
}

/** Kills all children when the bench exits for any reason; SIGINT/SIGTERM exit with 130/143. */
export function installCleanup(): void {
  process.once('exit', killAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping children`);
      killAll();
      process.exit(code);
    });
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
