/**
 * Mongoose on top of the server: the model features Puente relies on (validation, defaults,
 * timestamps, populate, index sync, counters) and standalone-mongod transaction refusal.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

const contactSchema = new Schema(
  {
    phone: { type: String, required: true, unique: true, match: /^\+\d{8,15}$/ },
    name: { type: String, default: 'Unknown' },
    optIn: { type: Boolean, default: false },
  },
  { timestamps: true },
);

const ticketSchema = new Schema(
  {
    userPhone: { type: String, required: true },
    status: { type: String, enum: ['pending', 'active', 'closed'], default: 'pending' },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact' },
    notes: { type: [String], default: [] },
  },
  { timestamps: true },
);
// Puente's "one open ticket per user" rule.
ticketSchema.index({ userPhone: 1 }, { unique: true, partialFilterExpression: { status: { $in: ['pending', 'active'] } } });

const counterSchema = new Schema({ _id: String, seq: { type: Number, default: 0 } }, { versionKey: false });

let conn: Connection;
let dbName: string;

beforeAll(async () => {
  dbName = uniqueDbName('mongoose');
  conn = await mongoose.createConnection(mongoUriFor(dbName)).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

describe('mongoose models', () => {
  it('Model.init() creates the collection and the schema indexes (unique and partial unique)', async () => {
    const Contact = conn.model('Contact', contactSchema);
    const Ticket = conn.model('Ticket', ticketSchema);
    await Promise.all([Contact.init(), Ticket.init()]);
    const ticketIndexes = await Ticket.collection.indexes();
    expect(ticketIndexes.find((i) => i.name === 'userPhone_1')).toMatchObject({
      unique: true,
      partialFilterExpression: { status: { $in: ['pending', 'active'] } },
    });
    expect((await Contact.collection.indexes()).map((i) => i.name)).toContain('phone_1');
  });

  it('validation rejects bad documents before they reach the server; defaults and timestamps are applied', async () => {
    const Contact = conn.model('Contact');
    await expect(Contact.create({ phone: 'not-a-phone' })).rejects.toMatchObject({ name: 'ValidationError' });
    const created = await Contact.create({ phone: '+5491100000001' });
    expect(created.get('name')).toBe('Unknown');
    expect(created.get('createdAt')).toBeInstanceOf(Date);
    const reloaded = (await Contact.findById(created._id).lean()) as Record<string, unknown> | null;
    expect(reloaded).toMatchObject({ phone: '+5491100000001', name: 'Unknown', optIn: false });
    expect(reloaded?.updatedAt).toBeInstanceOf(Date);
  });

  it('a duplicate unique value surfaces as MongoServerError 11000 with keyValue through mongoose', async () => {
    const Contact = conn.model('Contact');
    await expect(Contact.create({ phone: '+5491100000001' })).rejects.toMatchObject({
      name: 'MongoServerError',
      code: 11000,
      keyValue: { phone: '+5491100000001' },
    });
  });

  it('the partial unique index allows one open ticket per user; closing it allows a new one', async () => {
    const Ticket = conn.model('Ticket');
    const first = await Ticket.create({ userPhone: '+5491100000001' });
    await expect(Ticket.create({ userPhone: '+5491100000001', status: 'active' })).rejects.toMatchObject({ code: 11000 });
    await Ticket.updateOne({ _id: first._id }, { status: 'closed' });
    await Ticket.create({ userPhone: '+5491100000001', status: 'active' });
    expect(await Ticket.countDocuments({ userPhone: '+5491100000001' })).toBe(2);
  });

  it('populate resolves ObjectId references', async () => {
    const Contact = conn.model('Contact');
    const Ticket = conn.model('Ticket');
    const contact = await Contact.findOne({ phone: '+5491100000001' });
    await Ticket.create({ userPhone: '+5491100000009', contact: contact?._id, notes: ['hello'] });
    const ticket = (await Ticket.findOne({ userPhone: '+5491100000009' }).populate('contact').lean()) as Record<string, unknown> | null;
    expect((ticket?.contact as { phone?: string } | undefined)?.phone).toBe('+5491100000001');
  });

  it('findOneAndUpdate({new: true, upsert: true}) with $inc works as a sequence counter', async () => {
    const Counter = conn.model('Counter', counterSchema);
    const next = async () => (await Counter.findOneAndUpdate({ _id: 'ticketNumber' }, { $inc: { seq: 1 } }, { new: true, upsert: true }))?.seq;
    expect(await next()).toBe(1);
    expect(await next()).toBe(2);
    const parallel = await Promise.all(Array.from({ length: 10 }, next));
    expect(parallel.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('syncIndexes() drops indexes not in the schema and creates missing ones', async () => {
    const Ticket = conn.model('Ticket');
    await Ticket.collection.createIndex({ notes: 1 }, { name: 'stray_notes' });
    await Ticket.collection.dropIndex('userPhone_1');
    const dropped = await Ticket.syncIndexes();
    expect(dropped).toEqual(['stray_notes']);
    const names = (await Ticket.collection.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['_id_', 'userPhone_1']));
    expect(names).not.toContain('stray_notes');
    expect(await Ticket.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });
  });

  it('transactions are refused like on a standalone mongod (code 20, IllegalOperation), for writes and reads', async () => {
    const Contact = conn.model('Contact');
    const refusal = { code: 20, codeName: 'IllegalOperation', message: 'Transaction numbers are only allowed on a replica set member or mongos' };
    const session = await conn.startSession();
    try {
      const write = await session
        .withTransaction(async () => {
          await Contact.create([{ phone: '+5491100000077' }], { session });
        })
        .catch((e: unknown) => e);
      // For writes the driver rewraps code 20 as "does not support retryable writes", keeping the server error as originalError.
      // (mongoose bundles its own copy of the driver, so compare by error name, not class.)
      expect(write).toMatchObject({ name: 'MongoServerError' });
      const cause = (write as { originalError?: unknown }).originalError ?? write;
      expect(cause).toMatchObject(refusal);

      session.startTransaction();
      const read = await Contact.findOne({}).session(session).catch((e: unknown) => e);
      await session.abortTransaction().catch(() => undefined);
      expect(read).toMatchObject(refusal);
    } finally {
      await session.endSession();
    }
    expect(await Contact.countDocuments({ phone: '+5491100000077' })).toBe(0);
  });
});
