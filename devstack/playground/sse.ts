/**
 * `GET /events`: Server-Sent Events for the page. Forwards the simulators' emitters as
 * `event: message|status|ticket|crm` with JSON data (`crm` carries `{ kind, data }`: the CRM
 * simulator's lookup / user-message / ticket-event / error, what the page's agent did (sent, took, resolved), and the WhatsApp
 * simulator's undeliverable webhooks), a heartbeat comment every `heartbeatMs`, and
 * removes every listener when the client goes away (or the playground is closed).
 */
import type { EventEmitter } from 'node:events';
import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';

export interface EventSources {
  whatsapp: EventEmitter;
  crm: EventEmitter;
  /** The playground's own events (what its agent did), forwarded as `crm`. */
  local: EventEmitter;
}

/** [emitter, emitter event, SSE event, data] — `crm` events carry `{ kind, data }`. */
type Forward = [keyof EventSources, string, string, (payload: unknown) => unknown];

const FORWARDS: Forward[] = [
  ['whatsapp', 'message', 'message', (p) => p],
  ['whatsapp', 'status', 'status', (p) => p],
  // Beyond the design: a status webhook the simulator could not deliver to Puente.
  ['whatsapp', 'webhook-failed', 'crm', (p) => ({ kind: 'webhook-failed', data: p })],
  ['crm', 'ticket', 'ticket', (p) => p],
  ...['lookup', 'user-message', 'ticket-event', 'error'].map((kind): Forward => ['crm', kind, 'crm', (p) => ({ kind, data: p })]),
  ['local', 'agent-activity', 'crm', (p) => ({ kind: 'agent-activity', data: p })],
];

function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
}

export function sseRoutes(sources: EventSources, options: { heartbeatMs: number; signal?: AbortSignal }): Hono {
  const app = new Hono();

  app.get('/events', (c) =>
    streamSSE(c, async (stream: SSEStreamingApi) => {
      const detach: Array<() => void> = [];
      const send = (event: string, data: string) => {
        if (stream.aborted || stream.closed) return;
        stream.writeSSE({ event, data }).catch(() => stream.abort());
      };
      for (const [source, from, to, map] of FORWARDS) {
        const listener = (payload: unknown) => send(to, serialize(map(payload)));
        sources[source].on(from, listener);
        detach.push(() => sources[source].off(from, listener));
      }
      // Opens the stream at once (proxies and EventSource see the headers) and sets the retry delay.
      await stream.write(': puente playground\nretry: 2000\n\n');
      send('ready', serialize({ at: new Date().toISOString() }));

      await new Promise<void>((resolve) => {
        const heartbeat = setInterval(() => {
          stream.write(`: heartbeat ${new Date().toISOString()}\n\n`).catch(() => stream.abort());
        }, options.heartbeatMs);
        const finish = () => {
          clearInterval(heartbeat);
          for (const off of detach) off();
          options.signal?.removeEventListener('abort', finish);
          resolve();
        };
        stream.onAbort(finish);
        c.req.raw.signal.addEventListener('abort', () => stream.abort(), { once: true });
        if (options.signal?.aborted) finish();
        else options.signal?.addEventListener('abort', finish, { once: true });
        if (stream.aborted) finish();
      });
    }),
  );

  return app;
}
