/**
 * How long a client may take to send its request. Node's own default (`requestTimeout`, 300 s)
 * lets a client that trickles its body hold a connection, and the body buffered so far, for five
 * minutes; a few hundred of them exhaust memory or sockets. Here a request must arrive within
 * `defaultMs` (30 s by default, HTTP_REQUEST_TIMEOUT_SECONDS), and a path that accepts a larger
 * body (the bulk contacts import, 32 MiB) gets the time that body needs at {@link MIN_UPLOAD_BYTES_PER_SECOND}
 * when that is longer: 32 MiB at 256 KiB/s is 128 s.
 */
import type { IncomingMessage, Server, ServerOptions } from 'node:http';

/** The slowest upload a large-body path is sized for: 256 KiB/s (about 2 Mbit/s). */
export const MIN_UPLOAD_BYTES_PER_SECOND = 256 * 1024;
/** Headers must arrive within this from a request's first byte (Node's default is 60 s). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks its own header and request timers (its default, 30 s, would let a 10 s header timeout run to 40 s). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 2_000;

/** What Node answers when it gives up on a request (its own 408), then the connection is closed. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export interface RequestDeadlines {
  /** The deadline of a request to `path`, in milliseconds. */
  forPath(path: string): number;
  /** The longest deadline of any path: Node's own `requestTimeout`, a backstop. */
  readonly longestMs: number;
}

/** Deadlines by path: `defaultMs`, or the time a path's larger body limit needs at the minimum upload rate. */
export function requestDeadlines(defaultMs: number, bodyLimits: Readonly<Record<string, number>> = {}): RequestDeadlines {
  const byPath = new Map<string, number>();
  for (const [path, bytes] of Object.entries(bodyLimits)) {
    const needed = Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
    if (needed > defaultMs) byPath.set(path, needed);
  }
  return {
    forPath: (path) => byPath.get(path) ?? defaultMs,
    longestMs: Math.max(defaultMs, ...byPath.values()),
  };
}

/** The `http.createServer` options that go with {@link enforceRequestDeadlines}. */
export function serverTimeouts(deadlines: RequestDeadlines): Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'connectionsCheckingInterval'> {
  return {
    requestTimeout: deadlines.longestMs,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, deadlines.longestMs),
    connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Cuts off a request whose body has not fully arrived by its path's deadline (counted from its
 * headers): a 408 if nothing was answered yet, then the connection is closed, as Node does for its
 * own `requestTimeout` (which stays set to the longest deadline, see {@link serverTimeouts}).
 */
export function enforceRequestDeadlines(server: Server, deadlines: RequestDeadlines): void {
  server.on('request', (req: IncomingMessage, res) => {
    if (!hasBody(req) || req.complete) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const timer = setTimeout(() => {
      if (req.complete) return;
      const socket = req.socket;
      if (!res.headersSent && socket.writable) socket.write(REQUEST_TIMEOUT_RESPONSE, () => socket.destroy());
      // Destroyed anyway if the client does not even read the 408.
      setTimeout(() => socket.destroy(), 1_000).unref();
    }, deadlines.forPath(path));
    timer.unref();
    const done = () => clearTimeout(timer);
    req.once('end', done);
    req.once('close', done);
  });
}
