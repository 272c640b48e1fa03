/**
 * gracefulCloser against a real Node HTTP server with Puente's 65 s keep-alive and a keep-alive
 * client, as a load balancer holds connections: a plain `server.close()` would wait out the 65 s on
 * any connection whose request was still being answered.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulCloser } from '../../../../src/platform/http/graceful-close.js';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
  complete: boolean;
}

describe('gracefulCloser', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A server whose `/slow` answers after `slowMs`, `/stream` never ends, and anything else answers at once. */
  const serve = async (slowMs = 400) => {
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('slow done'), slowMs);
      else if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk');
      } else res.end('ok');
    });
    server.keepAliveTimeout = 65_000;
    const close = gracefulCloser(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    cleanups.push(() => {
      agent.destroy();
      server.closeAllConnections();
    });
    const port = (server.address() as AddressInfo).port;
    const get = (path: string) =>
      new Promise<Answer>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('close', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, complete: res.complete }));
          })
          .on('error', reject);
      });
    return { server, close, get, agent };
  };

  it('answers a request in flight at close, with Connection: close, and closes without waiting out keep-alive', async () => {
    const { server, close, get, agent } = await serve();
    expect((await get('/')).connection).toBe('keep-alive');
    const inFlight = get('/slow');
    await sleep(100);

    const started = Date.now();
    await close(10_000);
    const tookMs = Date.now() - started;

    expect(await inFlight).toEqual({ status: 200, connection: 'close', body: 'slow done', complete: true });
    // The response took ~300 ms more; the connection went right after it, not 65 s (nor the 10 s grace) later.
    expect(tookMs).toBeLessThan(3_000);
    expect(server.listening).toBe(false);
    // Nothing left for the client to reuse.
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(0);
  });

  it('closes idle keep-alive connections at once', async () => {
    const { close, get } = await serve();
    await get('/');
    const started = Date.now();
    await close(10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('cuts what is still running when the grace runs out', async () => {
    const { close, get } = await serve();
    const stream = get('/stream');
    await sleep(100);
    const started = Date.now();
    await close(300);
    const tookMs = Date.now() - started;
    const answer = await stream;
    expect(answer).toMatchObject({ status: 200, body: 'first chunk', complete: false });
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(2_000);
  });

  it('is idempotent: a second call waits for the same close', async () => {
    const { close, get } = await serve(200);
    const inFlight = get('/slow');
    await sleep(50);
    const [a, b] = [close(5_000), close(5_000)];
    expect(a).toBe(b);
    await a;
    expect((await inFlight).body).toBe('slow done');
  });
});
