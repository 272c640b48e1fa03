/**
 * TCP front end: one FrameReader per socket, each complete frame handled synchronously to the
 * end (so commands never interleave), replies written in order. A connection that sends
 * something unparseable is closed; nothing a client sends can take the server down.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Document } from './bson.js';
import type { CommandContext, ServerStats } from './commands/context.js';
import { runCommand } from './commands/registry.js';
import { MongoCommandError } from './errors.js';
import type { CursorManager } from './cursors.js';
import type { Store } from './store.js';
import {
  encodeOpMsg,
  encodeOpReply,
  FLAG_MORE_TO_COME,
  FrameReader,
  OP_MSG,
  OP_QUERY,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from './wire.js';

/** Commands mongod still accepts over legacy OP_QUERY: only the handshake. */
const OP_QUERY_COMMANDS = new Set(['isMaster', 'ismaster', 'hello']);

export class WireServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private readonly stats: ServerStats;
  private address = 'localhost';

  constructor(
    private readonly store: Store,
    private readonly cursors: CursorManager,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', () => undefined);
    let total = 0;
    this.server.on('connection', () => total++);
    this.stats = {
      startedAt: Date.now(),
      host: () => this.address,
      currentConnections: () => this.sockets.size,
      totalConnections: () => total,
    };
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        this.address = `${host}:${address.port}`;
        resolve(address);
      });
    });
  }

  /** Stops accepting, destroys every client socket and resolves once the listener is closed. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const ctx: CommandContext = { store: this.store, cursors: this.cursors, connectionId: this.nextConnectionId++, stats: this.stats };
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) {
          const reply = this.handleFrame(frame, ctx);
          if (reply) socket.write(reply);
        }
      } catch {
        // Malformed framing or BSON: like mongod, drop this connection and keep serving others.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Returns the encoded reply, or null when the client asked for none (moreToCome). */
  private handleFrame(frame: Buffer, ctx: CommandContext): Buffer | null {
    const { requestId, opCode } = readHeader(frame);
    if (opCode === OP_MSG) {
      const { flags, body } = parseOpMsg(frame);
      const db = typeof body.$db === 'string' ? body.$db : 'admin';
      const reply = runCommand(body, db, ctx);
      return flags & FLAG_MORE_TO_COME ? null : this.encodeReply(requestId, reply);
    }
    if (opCode === OP_QUERY) {
      const { collection, query } = parseOpQuery(frame);
      const name = Object.keys(query)[0] ?? '';
      let reply: Document;
      if (!collection.endsWith('.$cmd')) {
        return encodeOpReply(this.requestId(), requestId, { $err: 'OP_QUERY is no longer supported for queries', code: 5739101, ok: 0 }, true);
      } else if (!OP_QUERY_COMMANDS.has(name)) {
        reply = new MongoCommandError(
          'UnsupportedOpQueryCommand',
          `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
        ).toReply();
      } else {
        reply = runCommand(query, collection.slice(0, -'.$cmd'.length), ctx);
      }
      return encodeOpReply(this.requestId(), requestId, reply);
    }
    // OP_COMPRESSED is never negotiated (hello advertises no compressors); other opcodes are unknown.
    throw new Error(`unsupported opCode ${opCode}`);
  }

  /** Encodes a reply; one that cannot be serialized (e.g. over 16 MiB) becomes an error reply. */
  private encodeReply(responseTo: number, reply: Document): Buffer {
    try {
      return encodeOpMsg(this.requestId(), responseTo, reply);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return encodeOpMsg(this.requestId(), responseTo, new MongoCommandError('BSONObjectTooLarge', `reply could not be encoded: ${message}`).toReply());
    }
  }

  private requestId(): number {
    this.nextRequestId = (this.nextRequestId % 0x7fffffff) + 1;
    return this.nextRequestId;
  }
}
