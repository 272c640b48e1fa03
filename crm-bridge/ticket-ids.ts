/**
 * Ticket ids `TK-YYYY-NNNNNN` from an atomic per-year counter in the `counters` collection.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '../src/platform/mongo/model.js';

interface Counter {
  _id: string;
  seq: number;
}

// No default on `seq`: mongoose would add it as `$setOnInsert` and clash with the `$inc` on upsert.
const counterSchema = new Schema<Counter>({ _id: { type: String, required: true }, seq: Number }, { collection: 'counters', versionKey: false });

function counterModel(connection: Connection): Model<Counter> {
  return modelOn(connection, 'TicketCounter', counterSchema);
}

/** `TK-<year>-<seq>`: at least six digits, more past 999 999 (never truncated). */
export function formatTicketId(year: number, seq: number): string {
  return `TK-${year}-${String(seq).padStart(6, '0')}`;
}

/**
 * The next ticket id for the UTC year of `now`. Atomic across processes (a single
 * `findOneAndUpdate` with `$inc` and upsert), so concurrent callers never get the same id. The
 * sequence restarts at 1 each year. An id handed out and then not used (e.g. its insert lost a race)
 * is simply skipped: ids are unique and increasing, not gap-free.
 */
export async function nextTicketId(connection: Connection, now: Date = new Date()): Promise<string> {
  const year = now.getUTCFullYear();
  const Counter = counterModel(connection);
  const bump = () =>
    Counter.findOneAndUpdate({ _id: `ticket-${year}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
  let counter;
  try {
    counter = await bump();
  } catch (err) {
    // Two first-of-the-year upserts can race on `_id`; the loser retries and finds the document.
    if ((err as { code?: unknown }).code !== 11000) throw err;
    counter = await bump();
  }
  if (!counter || typeof counter.seq !== 'number') throw new Error(`ticket counter ticket-${year} returned no sequence`);
  return formatTicketId(year, counter.seq);
}
