import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadInput } from '../../../bot/ports.js';
import { leadModel } from '../../../src/leads/lead-model.js';
import { createLeadSink } from '../../../src/leads/lead-sink.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

let connection: Connection;

beforeAll(async () => {
  connection = await mongoose.createConnection(mongoUriFor(uniqueDbName('bot_leads'))).asPromise();
  await leadModel(connection).init();
});

afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const lead = (overrides: Partial<LeadInput> = {}): LeadInput => ({
  phone: '573001234567',
  name: 'Ana María',
  plan: { id: 'hogar-300', name: 'Hogar 300 Mbps' },
  source: 'whatsapp',
  stage: 'lead',
  phoneNumberId: '106540352242922',
  ...overrides,
});

describe('lead sink (MongoDB)', () => {
  it('stores a WhatsApp lead at stage lead with score 0', async () => {
    const at = new Date('2025-06-06T15:25:00.000Z');
    await createLeadSink(connection, () => at).saveLead(lead({ phone: '573000000001' }));
    const stored = await leadModel(connection).findOne({ phone: '573000000001' }).lean();
    expect(stored).toMatchObject({
      phone: '573000000001', name: 'Ana María', planOfInterest: 'hogar-300', planName: 'Hogar 300 Mbps',
      source: 'whatsapp', stage: 'lead', score: 0, phoneNumberId: '106540352242922', requestCount: 1,
      lastRequestedAt: at, stageChangedAt: at,
    });
    expect(stored?.createdAt).toBeInstanceOf(Date);
  });

  it('merges a repeated request for the same plan into the open lead', async () => {
    const sink = createLeadSink(connection);
    await sink.saveLead(lead({ phone: '573000000002', name: 'Ana' }));
    await sink.saveLead(lead({ phone: '573000000002', name: 'Ana María' }));
    const stored = await leadModel(connection).find({ phone: '573000000002' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Ana María', requestCount: 2 });
  });

  it('creates a new lead for another plan, or once the first one is being worked on', async () => {
    const sink = createLeadSink(connection);
    const Lead = leadModel(connection);
    await sink.saveLead(lead({ phone: '573000000003' }));
    await sink.saveLead(lead({ phone: '573000000003', plan: { id: 'gamer-900', name: 'Gamer 900 Mbps' } }));
    expect(await Lead.countDocuments({ phone: '573000000003' })).toBe(2);
    await Lead.updateMany({ phone: '573000000003' }, { $set: { stage: 'mql' } });
    await sink.saveLead(lead({ phone: '573000000003' }));
    expect(await Lead.countDocuments({ phone: '573000000003' })).toBe(3);
  });

  it('indexes leads by phone', async () => {
    const indexes = await leadModel(connection).collection.indexes();
    expect(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ phone: 1 }))).toBe(true);
  });

  it('refuses a stage outside the funnel', async () => {
    await expect(leadModel(connection).create({
      phone: '573000000004', name: 'X', source: 'whatsapp', stage: 'prospect' as unknown as 'lead', lastRequestedAt: new Date(), stageChangedAt: new Date(),
    })).rejects.toThrow(/stage/);
  });
});
