import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

export interface DevRedis {
  url: string;
  /** What was chosen, for the start-up banner. */
  source: 'REDIS_URL' | 'local 127.0.0.1:6379' | 'spawned redis-server';
  stop(): Promise<void>;
}

/** Answers whether something speaking RESP replies `+PONG` at host:port within the deadline. */
export function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function spawnRedis(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) throw new Error('redis-server not found');
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers('127.0.0.1', port, 200)) return { port, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

/**
 * The embedded default for `npm run dev`: REDIS_URL if set, else a Redis already answering on
 * 127.0.0.1:6379, else a throwaway `redis-server` from the PATH (no persistence, stopped on exit).
 */
export async function resolveDevRedis(redisUrl: string | undefined): Promise<DevRedis> {
  if (redisUrl) return { url: redisUrl, source: 'REDIS_URL', stop: async () => {} };
  if (await redisAnswers('127.0.0.1', 6379)) {
    return { url: 'redis://127.0.0.1:6379', source: 'local 127.0.0.1:6379', stop: async () => {} };
  }
  const { port, child } = await spawnRedis();
  // A plain process.exit still takes the throwaway server down with us.
  process.once('exit', () => child.kill('SIGTERM'));
  return {
    url: `redis://127.0.0.1:${port}`,
    source: 'spawned redis-server',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
