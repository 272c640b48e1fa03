import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

/** A Hono app that can be put on a loopback port and taken off it again (the simulators' servers). */
export interface HttpListener {
  /** Starts serving; resolves with the base URL (port 0 picks a free one). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops serving and drops open connections; harmless when not listening. */
  close(): Promise<void>;
}

export function createHttpListener(app: Pick<Hono, 'fetch'>, name: string): HttpListener {
  let server: ServerType | undefined;
  return {
    listen(port = 0, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error(`The ${name} is already listening`));
      return new Promise((resolve) => {
        const s = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${info.port}`);
        });
        server = s;
      });
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        if ('closeAllConnections' in s) s.closeAllConnections();
      });
    },
  };
}
