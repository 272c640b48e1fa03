import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadInput } from '../../../bot/ports.js';
import { createApiKeyStore } from '../../../src/api-keys/store.js';
import { createContactStores, type ContactStore } from '../../../src/contacts/store.js';
import { createRecordWhatsAppContact } from '../../../src/contacts/whatsapp-contact.js';
import { createBotLeadSink } from '../../../src/leads/bot-sink.js';
import type { ScoreQueue } from '../../../src/leads/score-queue.js';
import { createLeadStore, type LeadStore } from '../../../src/leads/store.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

describe('the bot’s lead sink', () => {
  let conn: Connection;
  let leads: LeadStore;
  let contacts: ContactStore;
  const scheduled: string[] = [];
  let sink: ReturnType<typeof createBotLeadSink>;
  const input = (phone: string, over: Partial<LeadInput> = {}): LeadInput => ({ phone, name: 'Ana María', plan: { id: 'hogar-300', name: 'Hogar 300 Mbps' }, source: 'whatsapp', phoneNumberId: '333000333', qualification: {}, ...over });

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('bot_sink'))).asPromise();
    leads = createLeadStore(conn);
    contacts = createContactStores(conn).contacts;
    const orgs = createApiKeyStore(conn);
    await orgs.ensureDefaultOrg('333000333');
    const scores = { schedule: async (_org: string, ids: readonly string[]) => void scheduled.push(...ids) } as unknown as ScoreQueue;
    sink = createBotLeadSink({ leads, contacts, recordWhatsAppContact: createRecordWhatsAppContact(contacts), orgForNumber: (n) => orgs.orgForNumber(n), scores });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('makes the user a contact named as they typed, creates their open WhatsApp lead once, merges answers after, and asks for a rescore each time', async () => {
    await sink.saveLead(input('573002220001'));
    await sink.saveLead(input('573002220001', { qualification: { budget_confirmed: true } }));
    await sink.saveLead(input('573002220001', { qualification: { budget_confirmed: true, timeline_defined: false } }));
    const found = await leads.search('default', { source: 'whatsapp', query: '573002220001' }, { skip: 0, limit: 10 });
    expect(found.total).toBe(1);
    const lead = found.data[0]!;
    expect(lead).toMatchObject({ contact: { name: 'Ana María', phone: '573002220001' }, qualification_data: { budget_confirmed: true, timeline_defined: false }, custom_fields: { plan_id: 'hogar-300', product_interest: 'Hogar 300 Mbps', name_given: 'Ana María' }, stage_history: [{ by: 'bot' }] });
    expect(scheduled.filter((id) => id === lead._id)).toHaveLength(3);
  });

  it('never renames a contact whose name came from elsewhere, and updates an open WhatsApp lead made through the API', async () => {
    const contact = await contacts.create('default', { phone: '573002220002', name: 'Andrés Pérez (CRM)' });
    const apiLead = await leads.create('default', { contact_id: contact._id, contact: { name: contact.name ?? null, email: null, phone: contact.phone }, source: 'whatsapp' }, 'api:key_x');
    await sink.saveLead(input('573002220002', { name: 'Andy', qualification: { decision_maker_involved: true } }));
    expect((await contacts.get('default', contact._id))?.name).toBe('Andrés Pérez (CRM)');
    expect(await leads.get('default', apiLead._id)).toMatchObject({ qualification_data: { decision_maker_involved: true }, custom_fields: { name_given: 'Andy' } });
    expect((await leads.search('default', { contact_id: contact._id }, { skip: 0, limit: 10 })).total).toBe(1);
  });
});
