/**
 * A fake CRM on loopback for the handover scenario: answers Puente's bot→CRM calls after a fixed
 * delay and records agent requests (ticket → user) and relayed user messages in arrival order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowMs } from './clock.js';

/** One `POST /api/bot/user-message` as it arrived ({@link nowMs} time). */
export interface CrmUserMessage {
  at: number;
  ticketId: string;
  userPhone: string;
  messageId: string;
  text: string | undefined;
}

/** The fake CRM; create with {@link startFakeCrm}. */
export class FakeCrm {
  /** ticketId by user phone, from `/api/bot/agent-request`. */
  tickets = new Map<string, string>();
  userMessages: CrmUserMessage[] = [];
  counts = { lookup: 0, agentRequest: 0, userMessage: 0, ticketEvent: 0, other: 0 };
  lastRequestAt = 0;
  /** Requests being answered now, and the peak since the last reset of `maxInFlight`. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly server: http.Server,
    public delayMs: number,
  ) {}

  /** Base URL for `CRM_BASE_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Records one request; returns the status and JSON to answer with. */
  handle(at: number, path: string, raw: string): [number, unknown] {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // not JSON: answered below as an unknown call
    }
    const str = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
    switch (path) {
      case '/api/bot/customer-lookup':
        this.counts.lookup++;
        return [200, { found: true, customer: { customerId: `C-${str('document')}`, customerName: `Cliente ${str('document')}`, serviceSuspended: false } }];
      case '/api/bot/agent-request':
        this.counts.agentRequest++;
        this.tickets.set(str('userPhone'), str('ticketId'));
        return [200, { success: true, ticketId: str('ticketId') }];
      case '/api/bot/user-message':
        this.counts.userMessage++;
        this.userMessages.push({ at, ticketId: str('ticketId'), userPhone: str('userPhone'), messageId: str('messageId'), text: typeof body['text'] === 'string' ? body['text'] : undefined });
        return [200, { success: true }];
      case '/api/bot/ticket-event':
        this.counts.ticketEvent++;
        return [200, { success: true }];
      default:
        this.counts.other++;
        return [404, { error: 'unknown path' }];
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Starts the fake CRM on 127.0.0.1 (any free port). */
export async function startFakeCrm(delayMs: number): Promise<FakeCrm> {
  const server = http.createServer();
  const crm = new FakeCrm(server, delayMs);
  server.keepAliveTimeout = 60_000;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = nowMs();
    crm.lastRequestAt = at;
    crm.maxInFlight = Math.max(crm.maxInFlight, ++crm.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, json] = crm.handle(at, (req.url ?? '').split('?')[0] ?? '', Buffer.concat(chunks).toString('utf8'));
      const answer = JSON.stringify(json);
      setTimeout(() => {
        crm.inFlight--;
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      }, crm.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return crm;
}
