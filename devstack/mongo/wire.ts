/**
 * MongoDB wire protocol framing: the 16-byte header, OP_MSG (kind-0 body + kind-1 document
 * sequences, optional CRC-32C trailer, moreToCome), legacy OP_QUERY and its OP_REPLY.
 * All integers are little-endian.
 */
import { deserialize, serialize, type Document } from './bson.js';
import { MAX_MESSAGE_SIZE_BYTES } from './commands/admin.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** OP_MSG flag bits. */
export const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;
/** OP_REPLY responseFlags bit for a failed query. */
const REPLY_QUERY_FAILURE = 1 << 1;

/** A malformed or unacceptable frame: the connection it came from gets closed. */
export class FrameError extends Error {}

const DESERIALIZE_OPTIONS = { promoteValues: true, promoteLongs: true, promoteBuffers: false, bsonRegExp: false } as const;
const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: true } as const;

/**
 * Re-encodes a document through BSON so it has exactly the in-memory representation documents
 * read off the wire have (e.g. Int32/Double wrappers become numbers, safe Longs become numbers).
 */
export function asWireDocument(doc: Document): Document {
  return deserialize(serialize(doc, SERIALIZE_OPTIONS), DESERIALIZE_OPTIONS);
}

/**
 * Accumulates socket chunks into whole frames. The length header is validated as soon as its
 * 4 bytes arrive, so an oversized or nonsensical frame is refused before it is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Adds a chunk; returns every frame now complete. Throws FrameError on a bad header. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    while (this.size >= 4) {
      if ((this.chunks[0] as Buffer).length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const length = (this.chunks[0] as Buffer).readInt32LE(0);
      if (length < HEADER_SIZE) throw new FrameError(`invalid message length ${length}`);
      if (length > MAX_MESSAGE_SIZE_BYTES) throw new FrameError(`message length ${length} exceeds ${MAX_MESSAGE_SIZE_BYTES}`);
      if (this.size < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  private take(length: number): Buffer {
    let first = this.chunks[0] as Buffer;
    if (first.length < length) {
      // Concatenate only once the whole frame has arrived, keeping large messages O(n).
      first = Buffer.concat(this.chunks, this.size);
      this.chunks = [first];
    }
    const frame = first.subarray(0, length);
    if (first.length === length) this.chunks.shift();
    else this.chunks[0] = first.subarray(length);
    this.size -= length;
    return frame;
  }
}

/** The fixed message header. */
export interface MessageHeader {
  readonly length: number;
  readonly requestId: number;
  readonly responseTo: number;
  readonly opCode: number;
}

export function readHeader(frame: Buffer): MessageHeader {
  return { length: frame.readInt32LE(0), requestId: frame.readInt32LE(4), responseTo: frame.readInt32LE(8), opCode: frame.readInt32LE(12) };
}

function readDocument(frame: Buffer, at: number, end: number): { doc: Document; next: number } {
  if (at + 5 > end) throw new FrameError('truncated BSON document');
  const size = frame.readInt32LE(at);
  if (size < 5 || at + size > end) throw new FrameError('BSON document length out of bounds');
  return { doc: deserialize(frame.subarray(at, at + size), DESERIALIZE_OPTIONS), next: at + size };
}

function readCString(frame: Buffer, at: number, end: number): { value: string; next: number } {
  const zero = frame.indexOf(0, at);
  if (zero < 0 || zero >= end) throw new FrameError('unterminated cstring');
  return { value: frame.toString('utf8', at, zero), next: zero + 1 };
}

/** Parses an OP_MSG into its command document, folding document sequences into array fields. */
export function parseOpMsg(frame: Buffer): { flags: number; body: Document } {
  if (frame.length < HEADER_SIZE + 5) throw new FrameError('OP_MSG too short');
  const flags = frame.readUInt32LE(HEADER_SIZE);
  const end = flags & FLAG_CHECKSUM_PRESENT ? frame.length - 4 : frame.length; // CRC-32C is accepted, not verified
  let at = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (at < end) {
    const kind = frame[at++];
    if (kind === 0) {
      if (body) throw new FrameError('OP_MSG has more than one body section');
      ({ doc: body, next: at } = readDocument(frame, at, end));
    } else if (kind === 1) {
      if (at + 4 > end) throw new FrameError('truncated document sequence');
      const sectionEnd = at + frame.readInt32LE(at);
      if (sectionEnd > end || sectionEnd < at + 5) throw new FrameError('document sequence length out of bounds');
      const id = readCString(frame, at + 4, sectionEnd);
      const docs: Document[] = [];
      for (let pos = id.next; pos < sectionEnd; ) {
        const read = readDocument(frame, pos, sectionEnd);
        docs.push(read.doc);
        pos = read.next;
      }
      sequences.push([id.value, docs]);
      at = sectionEnd;
    } else {
      throw new FrameError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!body) throw new FrameError('OP_MSG without a body section');
  for (const [id, docs] of sequences) body[id] = docs;
  return { flags, body };
}

/** Parses a legacy OP_QUERY (only used for the initial handshake nowadays). */
export function parseOpQuery(frame: Buffer): { collection: string; query: Document } {
  const ns = readCString(frame, HEADER_SIZE + 4, frame.length);
  const { doc } = readDocument(frame, ns.next + 8, frame.length);
  // Drivers may wrap the command as {$query: {...}, $readPreference: ...}.
  const query = doc.$query !== null && typeof doc.$query === 'object' && !Array.isArray(doc.$query) ? (doc.$query as Document) : doc;
  return { collection: ns.value, query };
}

function header(buffer: Buffer, requestId: number, responseTo: number, opCode: number): void {
  buffer.writeInt32LE(buffer.length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
}

/** Encodes a reply as OP_MSG with a single kind-0 section and no flags. */
export function encodeOpMsg(requestId: number, responseTo: number, body: Document): Buffer {
  const bson = serialize(body, SERIALIZE_OPTIONS);
  const out = Buffer.allocUnsafe(HEADER_SIZE + 5 + bson.length);
  header(out, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, HEADER_SIZE);
  out[HEADER_SIZE + 4] = 0;
  out.set(bson, HEADER_SIZE + 5);
  return out;
}

/** Encodes an OP_REPLY carrying one document (command reply or `$err`). */
export function encodeOpReply(requestId: number, responseTo: number, doc: Document, failed = false): Buffer {
  const bson = serialize(doc, SERIALIZE_OPTIONS);
  const out = Buffer.alloc(HEADER_SIZE + 20 + bson.length);
  header(out, requestId, responseTo, OP_REPLY);
  out.writeInt32LE(failed ? REPLY_QUERY_FAILURE : 0, HEADER_SIZE); // responseFlags
  // cursorID (8 bytes) and startingFrom (4 bytes) stay zero.
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  out.set(bson, HEADER_SIZE + 20);
  return out;
}
