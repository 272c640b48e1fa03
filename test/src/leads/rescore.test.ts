import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicketStore } from '../../../crm-bridge/ticket-store.js';
import { createApiKeyStore } from '../../../src/api-keys/store.js';
import { createContactStores, type ContactStore } from '../../../src/contacts/store.js';
import { createConversationLog } from '../../../src/conversations/conversation-log.js';
import { messageModel } from '../../../src/conversations/message-log.js';
import { leadModels } from '../../../src/leads/models.js';
import { createRescore, type Rescore } from '../../../src/leads/rescore.js';
import { createLeadStore, type LeadStore } from '../../../src/leads/store.js';
import { ticketModel } from '../../../crm-bridge/ticket-model.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

/**
 * The scoring run against the real conversation log, tickets, contacts and organizations: what
 * it counts from them, what it leaves out, and what it stores.
 */
describe('rescoring a lead from what Puente saw', () => {
  let conn: Connection;
  let leads: LeadStore;
  let contacts: ContactStore;
  let rescore: Rescore;
  const NOW = new Date('2025-06-30T12:00:00Z');
  const OURS = '111000111';
  const THEIRS = '222000222';
  const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('rescore'))).asPromise();
    leads = createLeadStore(conn);
    contacts = createContactStores(conn).contacts;
    const orgs = createApiKeyStore(conn);
    await orgs.ensureDefaultOrg(OURS);
    const other = await orgs.createOrg('Other');
    await conn.collection('organizations').updateOne({ _id: other._id } as never, { $set: { phoneNumberIds: [THEIRS] } });
    const log = createConversationLog(messageModel(conn));
    const tickets = createTicketStore(conn);
    rescore = createRescore({
      leads,
      contacts,
      sources: { activityOf: (w, s, l) => log.activityOf(w, s, l), countResolvedSince: (k, s) => tickets.countResolvedSince(k, s), orgForNumber: (n) => orgs.orgForNumber(n) },
      logger: createLogger({ level: 'silent' }),
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  let seq = 0;
  const message = (waId: string, fields: { number?: string; direction: 'inbound' | 'outbound'; type?: string; text?: string; status?: string; at: Date }) => ({
    conversationKey: `${fields.number ?? OURS}:${waId}`,
    phoneNumberId: fields.number ?? OURS,
    waId,
    direction: fields.direction,
    author: fields.direction === 'inbound' ? 'user' : 'bot',
    type: fields.type ?? 'text',
    ...(fields.text ? { text: fields.text } : {}),
    wamid: `wamid.rescore-${++seq}`,
    status: fields.status ?? (fields.direction === 'inbound' ? 'received' : 'delivered'),
    statusRank: 0,
    statusHistory: [],
    at: fields.at,
  });
  const leadFor = async (phone: string, qualification_data: Record<string, unknown> = {}) => {
    const contact = await contacts.create('default', { phone, name: 'Prueba' });
    return leads.create('default', { contact_id: contact._id, contact: { name: 'Prueba', email: null, phone }, source: 'whatsapp', qualification_data }, 'test', daysAgo(1));
  };

  it('counts replies, reads, taps and resolved handovers of the last 30 days on the organization’s numbers only, and reads intent from the user’s texts', async () => {
    const waId = '573001110001';
    const lead = await leadFor(waId);
    await messageModel(conn).insertMany([
      message(waId, { direction: 'inbound', text: 'hola', at: daysAgo(2) }),
      message(waId, { direction: 'inbound', text: '¿Cuánto cuesta el plan de 500 megas?', at: daysAgo(2) }),
      message(waId, { direction: 'inbound', type: 'button_reply', text: 'Sí [v1:budget.yes]', at: daysAgo(2) }),
      message(waId, { direction: 'inbound', type: 'list_reply', text: 'Hogar 500 [v1:plan.hogar-500]', at: daysAgo(2) }),
      message(waId, { direction: 'outbound', status: 'read', at: daysAgo(2) }),
      message(waId, { direction: 'outbound', status: 'read', at: daysAgo(2) }),
      message(waId, { direction: 'outbound', status: 'delivered', at: daysAgo(2) }),
      // Too old to count, and another organization's number: neither counts.
      message(waId, { direction: 'inbound', text: 'quiero contratar ya', at: daysAgo(31) }),
      message(waId, { number: THEIRS, direction: 'inbound', text: 'quiero contratar, es urgente', at: daysAgo(1) }),
      message(waId, { number: THEIRS, direction: 'outbound', status: 'read', at: daysAgo(1) }),
    ] as never[]);
    const ticket = (number: string, closedAt: Date, closeReason: string) => ({ ticketId: `TK-2025-${String(++seq).padStart(6, '0')}`, conversationKey: `${number}:${waId}`, closedAt, closeReason });
    await ticketModel(conn).collection.insertMany([ticket(OURS, daysAgo(3), 'agent_resolved'), ticket(OURS, daysAgo(3), 'idle_timeout'), ticket(OURS, daysAgo(40), 'agent_resolved'), ticket(THEIRS, daysAgo(3), 'agent_resolved')] as never[]);

    await rescore.run('default', lead._id);
    const scores = await leads.latestScores('default', lead._id);
    // 4 replies × 5 = 20, 2 reads × 5 = 10, 2 taps × 10 = 20, 1 handover × 15 = 15 → 65.
    expect(scores?.engagement).toMatchObject({ score: 65, factors: { replies: { count: 4 }, reads: { count: 2 }, taps: { count: 2 }, handovers_completed: { count: 1 } } });
    // Intent from the text messages only: pricing and plan, never "contratar" from elsewhere.
    const intents = (scores?.ai_intent?.factors.intents as { intent: string }[]).map((i) => i.intent).sort();
    expect(intents).toEqual(['plan', 'pricing']);
  });

  it('has no engagement or intent for a contact who never wrote on WhatsApp, and stores a score only when it changed', async () => {
    const lead = await leadFor('573001110002', { budget_confirmed: true, timeline_defined: true, decision_maker_involved: true });
    const first = await rescore.run('default', lead._id);
    expect(first).toMatchObject({ score: 100, qualification_status: 'qualified', stage: 'mql' });
    const latest = await leads.latestScores('default', lead._id);
    expect(Object.keys(latest ?? {}).sort()).toEqual(['combined', 'workflow']);
    const history = async () => leadModels(conn).LeadScore.countDocuments({ lead_id: lead._id });
    expect(await history()).toBe(2);
    await rescore.run('default', lead._id);
    expect(await history()).toBe(2);
    // A stage already past mql is never moved by scoring.
    await leads.changeStage('default', lead._id, { stage: 'sql', reason: null, by: 'test' });
    expect(await rescore.run('default', lead._id)).toMatchObject({ stage: 'sql' });
  });

  it('keeps a manual score in the combination until a new one replaces it', async () => {
    const lead = await leadFor('573001110003', { budget_confirmed: false });
    // Workflow: one answer, a no → 0 + 1/3 × 50 = 16.7 → 17; manual 90 with 15 against 20: (17·20 + 90·15) / 35 = 48.3 → 48.
    expect(await rescore.run('default', lead._id, { manual: { score: 90, reason: 'Cliente referido', by: 'api:key_x' } })).toMatchObject({ score: 48, qualification_status: 'unqualified' });
    expect(await rescore.run('default', lead._id)).toMatchObject({ score: 48 });
    expect((await leads.latestScores('default', lead._id))?.manual).toMatchObject({ score: 90, reason: 'Cliente referido', by: 'api:key_x' });
    expect(await rescore.run('nobody', lead._id)).toBeNull();
  });
});
