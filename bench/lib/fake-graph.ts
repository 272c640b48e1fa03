/**
 * A fake WhatsApp Cloud API (Graph) on loopback: answers every request after a fixed delay with
 * keep-alive, and records, per reply, when it arrived, to whom, and which inbound message it answers
 * (`biz_opaque_callback_data`). Mark-as-read requests are recorded separately.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowMs } from './clock.js';

/** One non-mark-read send as it arrived. `at` is a {@link nowMs} time taken when the request arrived. */
export interface ReplyRecord {
  at: number;
  to: string;
  /** `biz_opaque_callback_data`: the inbound wamid this reply answers. */
  cb: string | undefined;
  /** The raw request body: the same body twice for one `cb` is a duplicate send. */
  body: string;
}

/** Request counters since the last {@link FakeGraph.reset}. */
export interface FakeGraphCounts {
  markRead: number;
  replies: number;
  /** Requests to any other path (e.g. the CRM base URL), or unparsable bodies. */
  other: number;
  /** Requests without `Authorization: Bearer <token>`. */
  badAuth: number;
  inFlight: number;
  maxInFlight: number;
}

/** The fake Graph API; create with {@link startFakeGraph}. */
export class FakeGraph {
  /** Replies in arrival order. */
  replies: ReplyRecord[] = [];
  /** First reply arrival per inbound wamid. */
  firstReplyAt = new Map<string, number>();
  /** Mark-as-read arrival per inbound wamid (the first one). */
  markReadAt = new Map<string, number>();
  counts: FakeGraphCounts = { markRead: 0, replies: 0, other: 0, badAuth: 0, inFlight: 0, maxInFlight: 0 };
  /** Arrival time of the most recent request of any kind. */
  lastRequestAt = 0;
  private seq = 0;

  constructor(
    readonly server: http.Server,
    /** Answer delay in ms (mutable between scenarios). */
    public delayMs: number,
    private readonly token: string,
  ) {}

  /** Base URL for `WHATSAPP_API_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets every record (call between scenarios). */
  reset(): void {
    this.replies = [];
    this.firstReplyAt.clear();
    this.markReadAt.clear();
    this.counts = { markRead: 0, replies: 0, other: 0, badAuth: 0, inFlight: 0, maxInFlight: 0 };
    this.lastRequestAt = 0;
  }

  /** Records one request; returns the JSON to answer with. */
  handle(at: number, req: http.IncomingMessage, raw: string): string {
    if (req.headers.authorization !== `Bearer ${this.token}`) this.counts.badAuth++;
    let body: Record<string, unknown> | undefined;
    try {
      body = req.method === 'POST' && /^\/v[\d.]+\/\d+\/messages$/.test(req.url ?? '') ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    if (!body) {
      this.counts.other++;
      return '{}';
    }
    if (body['status'] === 'read') {
      this.counts.markRead++;
      const wamid = String(body['message_id']);
      if (!this.markReadAt.has(wamid)) this.markReadAt.set(wamid, at);
      return '{"success":true}';
    }
    const to = String(body['to']);
    const cb = typeof body['biz_opaque_callback_data'] === 'string' ? body['biz_opaque_callback_data'] : undefined;
    this.counts.replies++;
    this.replies.push({ at, to, cb, body: raw });
    if (cb !== undefined && !this.firstReplyAt.has(cb)) this.firstReplyAt.set(cb, at);
    return JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.fake-${++this.seq}` }] });
  }

  /** Closes the server and its keep-alive connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Starts the fake on 127.0.0.1 (`port` 0 = any free port). */
export async function startFakeGraph(opts: { delayMs: number; token: string; port?: number }): Promise<FakeGraph> {
  const server = http.createServer();
  const fake = new FakeGraph(server, opts.delayMs, opts.token);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = nowMs();
    fake.lastRequestAt = at;
    fake.counts.inFlight++;
    fake.counts.maxInFlight = Math.max(fake.counts.maxInFlight, fake.counts.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = fake.handle(at, req, Buffer.concat(chunks).toString('utf8'));
      setTimeout(() => {
        fake.counts.inFlight--;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      }, fake.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return fake;
}
