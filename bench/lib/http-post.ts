/** A minimal keep-alive POST used by the load client: raw `node:http`, no parsing beyond the status and body text. */
import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** The outcome of one POST: `status` 0 means no HTTP answer (see `error`). */
export interface PostOutcome {
  status: number;
  body: string;
  error?: string;
}

/** Per-request deadline (whole request, not socket idle time): after this it is destroyed and counted as an error. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** When each keep-alive socket last finished a response, to tell stale-socket resets from others. */
const lastUsed = new WeakMap<Socket, number>();

/** `ECONNRESET (reused socket idle ≥ 4 s)`-style label: says whether a failure hit a fresh or a reused connection. */
function errorLabel(err: NodeJS.ErrnoException, req: http.ClientRequest, socket: Socket | undefined): string {
  const code = err.code ?? err.message;
  if (!req.reusedSocket || !socket) return `${code} (new connection)`;
  const idle = performance.now() - (lastUsed.get(socket) ?? performance.now());
  return `${code} (reused connection idle ${idle >= 4_000 ? '≥' : '<'} 4 s)`;
}

/** POSTs `body` with the webhook signature header; never rejects. */
export function postWebhook(agent: http.Agent, url: URL, body: Buffer, signature: string): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-hub-signature-256': signature },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(deadline);
          if (socket) lastUsed.set(socket, performance.now());
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(deadline);
          resolve({ status: 0, body: '', error: err.message });
        });
      },
    );
    let socket: Socket | undefined;
    req.on('socket', (s: Socket) => (socket = s));
    const deadline = setTimeout(() => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), REQUEST_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      resolve({ status: 0, body: '', error: errorLabel(err, req, socket) });
    });
    req.end(body);
  });
}

/** Reads Puente's ack `{messages:{queued,duplicate}}`; undefined for any other body (e.g. hello-world's `{}`). */
export function ackCounts(body: string): { queued: number; duplicate: number } | undefined {
  try {
    const parsed = JSON.parse(body) as { messages?: { queued?: unknown; duplicate?: unknown } };
    const m = parsed.messages;
    if (typeof m?.queued !== 'number' || typeof m.duplicate !== 'number') return undefined;
    return { queued: m.queued, duplicate: m.duplicate };
  } catch {
    return undefined;
  }
}
