/**
 * Raw wire-protocol tests with node:net bytes: framing, OP_MSG sections and flags, the legacy
 * OP_QUERY handshake, and hostile input. Valid against mongod as well (checksums are real CRC-32C).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deserialize, serialize, type Document } from '../../../devstack/mongo/bson.js';
import { MongoClient } from '../../helpers/mongo-driver.js';
import { hostPort, openTestDb, type TestDb } from './support.js';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('wire');
});
afterAll(async () => {
  await t.dispose();
});

/** A bare TCP connection that splits the incoming byte stream into wire messages. */
class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.waiters.splice(0).forEach((w) => w()));
  }

  static open(): Promise<RawConnection> {
    const { host, port } = hostPort(t.uri);
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Next complete message, or undefined if the server closes the connection first. */
  async nextMessage(timeoutMs = 2000): Promise<{ opCode: number; responseTo: number; body: Buffer } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 4) {
        const length = this.buffer.readInt32LE(0);
        if (this.buffer.length >= length) {
          const frame = this.buffer.subarray(0, length);
          this.buffer = this.buffer.subarray(length);
          return { opCode: frame.readInt32LE(12), responseTo: frame.readInt32LE(8), body: frame.subarray(16) };
        }
      }
      if (this.socket.destroyed || Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Resolves true if the server closes this connection within `timeoutMs`. */
  async closedWithin(timeoutMs = 2000): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** CRC-32C (Castagnoli), as mongod verifies for OP_MSG checksums. */
function crc32c(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Builds an OP_MSG: kind-0 body plus optional kind-1 document sequences and flags. */
function opMsg(requestId: number, body: Document, options: { flags?: number; sequences?: Array<[string, Document[]]> } = {}): Buffer {
  const flags = options.flags ?? 0;
  const sections: Buffer[] = [Buffer.from([0]), Buffer.from(serialize(body))];
  for (const [id, docs] of options.sequences ?? []) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`), ...docs.map((d) => Buffer.from(serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    sections.push(Buffer.from([1]), size, payload);
  }
  const flagBytes = Buffer.alloc(4);
  flagBytes.writeUInt32LE(flags);
  const checksumLength = flags & 1 ? 4 : 0;
  const length = 16 + 4 + sections.reduce((n, s) => n + s.length, 0) + checksumLength;
  const message = Buffer.concat([header(length, requestId, OP_MSG), flagBytes, ...sections]);
  if (!checksumLength) return message;
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32c(message));
  return Buffer.concat([message, crc]);
}

function replyDoc(message: { opCode: number; body: Buffer } | undefined): Document {
  if (!message) throw new Error('no reply');
  if (message.opCode === OP_MSG) return deserialize(message.body.subarray(5));
  if (message.opCode === OP_REPLY) return deserialize(message.body.subarray(20));
  throw new Error(`unexpected opCode ${message.opCode}`);
}

async function driverStillWorks(): Promise<void> {
  const client = await MongoClient.connect(t.uri, { serverSelectionTimeoutMS: 3000 });
  try {
    expect((await client.db().command({ ping: 1 })).ok).toBe(1);
  } finally {
    await client.close();
  }
}

describe('framing and hostile input', () => {
  it('a frame whose messageLength is below 16 gets the connection closed; new driver connections still work', async () => {
    const raw = await RawConnection.open();
    const bogus = Buffer.alloc(8);
    bogus.writeInt32LE(8, 0);
    raw.send(bogus);
    expect(await raw.closedWithin()).toBe(true);
    await driverStillWorks();
  });

  it('an oversized messageLength (48,000,001) is refused from the header alone; the connection is closed', async () => {
    const raw = await RawConnection.open();
    raw.send(header(48_000_001, 1, OP_MSG));
    expect(await raw.closedWithin()).toBe(true);
    await driverStillWorks();
  });

  it('an unknown opCode gets the connection closed and the server keeps serving', async () => {
    const raw = await RawConnection.open();
    raw.send(Buffer.concat([header(20, 1, 4242), Buffer.alloc(4)]));
    expect(await raw.closedWithin()).toBe(true);
    await driverStillWorks();
  });

  it('an OP_MSG carrying invalid BSON gets the connection closed', async () => {
    const raw = await RawConnection.open();
    const junk = Buffer.from([0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]);
    raw.send(Buffer.concat([header(16 + junk.length, 1, OP_MSG), junk]));
    expect(await raw.closedWithin()).toBe(true);
    await driverStillWorks();
  });

  it('300 random frames (valid lengths, random opcodes and bytes) never take the server down', async () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const opCodes = [OP_MSG, OP_QUERY, OP_REPLY, 2012, 2001, 0, -1];
    for (let i = 0; i < 300; i++) {
      const raw = await RawConnection.open();
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      if (body.length > 5 && random() < 0.5) body.writeInt32LE(body.length - 1, 1); // plausible BSON length after a kind byte
      raw.send(Buffer.concat([header(16 + body.length, i, opCodes[i % opCodes.length] as number), body]));
      await raw.nextMessage(50);
      raw.destroy();
    }
    await driverStillWorks();
  });
});

describe('OP_QUERY handshake', () => {
  it('OP_QUERY isMaster on admin.$cmd is answered with an OP_REPLY describing a writable standalone', async () => {
    const raw = await RawConnection.open();
    const query = Buffer.concat([
      Buffer.alloc(4), // flags
      Buffer.from('admin.$cmd\0'),
      Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), // numberToSkip 0, numberToReturn -1
      Buffer.from(serialize({ isMaster: 1, helloOk: true })),
    ]);
    raw.send(Buffer.concat([header(16 + query.length, 77, OP_QUERY), query]));
    const reply = await raw.nextMessage();
    expect(reply?.opCode).toBe(OP_REPLY);
    expect(reply?.responseTo).toBe(77);
    expect(reply?.body.readInt32LE(16)).toBe(1); // numberReturned
    const doc = replyDoc(reply);
    expect(doc).toMatchObject({ ok: 1, ismaster: true, helloOk: true });
    expect(doc.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(doc.topologyVersion).toBeUndefined();
    raw.destroy();
  });
});

describe('OP_MSG', () => {
  it('an unknown command replies CommandNotFound (59) and the same connection keeps working', async () => {
    const raw = await RawConnection.open();
    raw.send(opMsg(1, { fooBarBaz: 1, $db: 'admin' }));
    expect(replyDoc(await raw.nextMessage())).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound', errmsg: "no such command: 'fooBarBaz'" });
    raw.send(opMsg(2, { ping: 1, $db: 'admin' }));
    const pong = await raw.nextMessage();
    expect(pong?.responseTo).toBe(2);
    expect(replyDoc(pong).ok).toBe(1);
    raw.destroy();
  });

  it('kind-1 document sequences carry insert documents, and a valid CRC-32C checksum is accepted', async () => {
    const raw = await RawConnection.open();
    raw.send(opMsg(3, { insert: 'seq', $db: t.db.databaseName }, { flags: 1, sequences: [['documents', [{ _id: 1 }, { _id: 2 }]]] }));
    expect(replyDoc(await raw.nextMessage())).toMatchObject({ ok: 1, n: 2 });
    raw.destroy();
    expect(await t.db.collection('seq').countDocuments()).toBe(2);
  });

  it('moreToCome (flag bit 1) gets no reply: the next reply on the socket answers the following request', async () => {
    const raw = await RawConnection.open();
    raw.send(opMsg(10, { insert: 'fire_and_forget', documents: [{ x: 1 }], writeConcern: { w: 0 }, $db: t.db.databaseName }, { flags: 2 }));
    raw.send(opMsg(11, { ping: 1, $db: 'admin' }));
    const reply = await raw.nextMessage();
    expect(reply?.responseTo).toBe(11);
    raw.destroy();
    expect(await t.db.collection('fire_and_forget').countDocuments()).toBe(1);
  });

  it('a message split across many small TCP writes is reassembled', async () => {
    const raw = await RawConnection.open();
    const message = opMsg(12, { ping: 1, $db: 'admin' });
    for (const byte of message) raw.send(Buffer.from([byte]));
    expect(replyDoc(await raw.nextMessage()).ok).toBe(1);
    raw.destroy();
  });
});
