/**
 * One POST of a delivery to a subscriber's endpoint, over keep-alive agents whose `lookup` only
 * ever hands the socket an allowed address (ssrf.ts); an IP literal in the URL (no lookup) is
 * checked before connecting, and every new socket's remote address once connected. No redirects
 * are followed (a 3xx is a failed attempt). The whole exchange is bounded by the timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { addressRefusal, BlockedTargetError, guardedLookup, hostLiteral, type Resolver, type TargetPolicy } from './ssrf.js';

/** What an attempt got: the status and the start of the answer, or why there was none. */
export interface SendResult {
  statusCode?: number;
  /** The answer's body as text, at most {@link MAX_BODY_READ} bytes of it. */
  body: string;
  error?: string;
  durationMs: number;
  /** From `Retry-After` (seconds or a date) on a 429 or 503. */
  retryAfterMs?: number;
}

/** Enough of an answer for the log (1 KiB) and a JSON challenge; the rest is not read. */
const MAX_BODY_READ = 16 * 1024;

export interface Sender {
  post(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): void;
}

function retryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A short, safe description of a failed request: the error's code and message, never headers. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

export function createSender(opts: { policy: TargetPolicy; resolve: Resolver; timeoutMs: number }): Sender {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = {
    'http:': new http.Agent({ ...agentOptions, lookup: guardedLookup(opts.resolve, 'http:', opts.policy) as never }),
    'https:': new https.Agent({ ...agentOptions, lookup: guardedLookup(opts.resolve, 'https:', opts.policy) as never }),
  };

  function post(target: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return Promise.resolve({ body: '', error: 'invalid URL', durationMs: 0 });
    }
    const protocol = url.protocol === 'http:' ? 'http:' : url.protocol === 'https:' ? 'https:' : undefined;
    if (!protocol) return Promise.resolve({ body: '', error: `unsupported protocol ${url.protocol}`, durationMs: 0 });
    // An IP literal never goes through `lookup`: judge it here.
    const literal = hostLiteral(url.hostname);
    const refusal = literal ? addressRefusal(literal, protocol, opts.policy) : undefined;
    if (refusal) return Promise.resolve({ body: '', error: `refused target: ${refusal}`, durationMs: 0 });

    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: took() });
      };
      const request = (protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: agents[protocol],
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => request.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      request.on('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        socket.once('connect', () => {
          const address = socket.remoteAddress;
          const blocked = address ? addressRefusal(address, protocol, opts.policy) : 'no remote address';
          if (blocked) request.destroy(new BlockedTargetError(`refused target: ${blocked}`));
        });
      });
      request.on('error', (err) => finish({ body: '', error: describe(err) }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            statusCode: response.statusCode,
            body: Buffer.concat(chunks).toString('utf8'),
            retryAfterMs: response.statusCode === 429 || response.statusCode === 503 ? retryAfter(response.headers['retry-after'], Date.now()) : undefined,
          });
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_READ) chunks.push(chunk.subarray(0, MAX_BODY_READ - size));
          size += chunk.length;
          // Enough read: drop the rest (and the connection) rather than download a large answer.
          if (size >= MAX_BODY_READ) {
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      });
      request.end(body);
    });
  }

  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
