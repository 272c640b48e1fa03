import type { Server, ServerResponse } from 'node:http';

/** How often a closing server looks for connections that went idle (a response just finished). */
const IDLE_SWEEP_MS = 100;

/**
 * Prepares `server` for a close that does not wait out keep-alive. Node's `server.close()` closes the
 * connections idle at that moment, but a connection whose request is still being answered stays
 * open after its response for the whole keep-alive timeout (Puente's is 65 s, above a proxy's), so
 * a shutdown during traffic would sit there. The returned function, once called:
 * - stops accepting connections (`server.close()`);
 * - answers every request still being handled, and any that arrives on an open connection, with
 *   `Connection: close` (when its headers are not sent yet), so the client does not reuse it;
 * - closes each connection as soon as it is idle;
 * - after `graceMs`, closes every connection left (a request or a stream still running is cut).
 * It resolves when the server is closed. Call this right after the server is created: only
 * requests it saw can be told to close.
 */
export function gracefulCloser(server: Server): (graceMs: number) => Promise<void> {
  const answering = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) {
      if (!res.headersSent) res.setHeader('connection', 'close');
      return;
    }
    answering.add(res);
    res.once('close', () => answering.delete(res));
  });
  let closed: Promise<void> | undefined;
  return (graceMs) =>
    (closed ??= new Promise<void>((resolve) => {
      closing = true;
      for (const res of answering) if (!res.headersSent) res.setHeader('connection', 'close');
      answering.clear();
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    }));
}
