/**
 * What the ticket store, the conversation log and the contact store record in their documents'
 * outboxes, through a relay to a recording sink: the events of a real sequence, in order, each with
 * data of its documented shape.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentRequest } from '../../../../src/crm/crm-payloads.js';
import { createTicketStore } from '../../../../crm-bridge/ticket-store.js';
import { createContactStores } from '../../../../src/contacts/store.js';
import { createConversationLog } from '../../../../src/conversations/conversation-log.js';
import { messageModel } from '../../../../src/conversations/message-log.js';
import { EVENT_DATA } from '../../../../src/platform/events/catalog.js';
import { createOutboxRelay, type OutboxRelay } from '../../../../src/platform/events/outbox.js';
import type { EventSink, PuenteEvent } from '../../../../src/platform/events/types.js';
import { createLogger } from '../../../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from '../../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys } from '../../../helpers/redis.js';

describe('the modules record their events with their changes', () => {
  const prefix = `test-${randomUUID()}`;
  let conn: Connection;
  let redis: Redis;
  let relay: OutboxRelay;
  const handed: PuenteEvent[] = [];
  const orgForNumber = async (n: string) => (n === 'PN-ACME' ? 'org_acme' : 'default');

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('emitters'))).asPromise();
    redis = new Redis(TEST_REDIS_URL);
    const sink: EventSink = {
      publish: async (events) => void handed.push(...events.filter((e) => !handed.some((h) => h.id === e.id))),
      // Only Acme subscribed.
      wants: async (orgId) => orgId === 'org_acme',
    };
    relay = createOutboxRelay({ connection: conn, redis, keyPrefix: prefix, sink, logger: createLogger({ level: 'silent' }), collections: ['tickets', 'messages', 'contacts'], sweepGraceMs: 0 });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  const typesOf = (resourceId: string) => handed.filter((e) => e.resource.id === resourceId).map((e) => e.type);
  const valid = () => {
    for (const e of handed) expect(EVENT_DATA[e.type].safeParse(e.data).success, `${e.type} ${JSON.stringify(e.data)}`).toBe(true);
  };

  it('a ticket: created, assigned, transferred, escalated is not possible once active, closed — in order, for the number’s organization', async () => {
    const tickets = createTicketStore(conn, { events: relay, orgForNumber });
    const T0 = new Date('2026-03-01T10:00:00Z');
    const customer = { customerId: 'C-1', customerName: 'Juan Pérez', serviceSuspended: false };
    const { userContext } = buildAgentRequest({ ticketId: 'n/a', userPhone: '573001234567', customer, priority: 'media', category: 'soporte_agente', sessionStart: T0, lastActivity: T0, requestTime: T0 });
    const { ticket } = await tickets.open({ conversationKey: 'PN-ACME:573001234567', phoneNumberId: 'PN-ACME', userPhone: '573001234567', customer, userContext, category: 'soporte_agente', priority: 'media', now: T0 });
    await tickets.escalate(ticket.ticketId, new Date(T0.getTime() + 1_000));
    await tickets.activate(ticket.ticketId, { id: 'agent-1', name: 'Ana', via: 'crm' }, new Date(T0.getTime() + 2_000));
    await tickets.activate(ticket.ticketId, { id: 'agent-1', name: 'Ana', via: 'crm' }, new Date(T0.getTime() + 2_500));
    await tickets.activate(ticket.ticketId, { id: 'agent-2', name: 'Beto', via: 'crm' }, new Date(T0.getTime() + 3_000));
    await tickets.close(ticket.ticketId, 'agent_resolved', new Date(T0.getTime() + 4_000));
    await tickets.close(ticket.ticketId, 'idle_timeout', new Date(T0.getTime() + 5_000));
    await relay.idle();
    expect(typesOf(ticket.ticketId)).toEqual(['ticket.created', 'ticket.updated', 'ticket.updated', 'ticket.updated', 'ticket.closed']);
    const events = handed.filter((e) => e.resource.id === ticket.ticketId);
    expect(events.map((e) => (e.data as { change?: string }).change ?? null)).toEqual([null, 'escalated', 'assigned', 'transferred', null]);
    expect(events[1]?.data).toMatchObject({ ticket: { priority: 'alta' } });
    expect(events[4]?.data).toMatchObject({ ticket: { status: 'closed', close_reason: 'agent_resolved', agent: { id: 'agent-2', name: 'Beto' } } });
    expect(events.every((e) => e.org_id === 'org_acme')).toBe(true);
    valid();
  });

  it('a message: received (and added to its ticket), an agent’s reply queued on the ticket, sent, delivered, read', async () => {
    const log = createConversationLog(messageModel(conn), { events: relay, orgForNumber });
    const at = new Date('2026-03-01T10:01:00Z');
    const base = { conversationKey: 'PN-ACME:573001234567', phoneNumberId: 'PN-ACME', waId: '573001234567', type: 'text', at };
    await log.logInbound({ ...base, wamid: 'wamid.in-1', direction: 'inbound', author: 'user', text: 'Hola, sigo sin internet', ticketId: 'TK-2026-000001' });
    await log.logQueued({ ...base, outboundId: 'out-1', direction: 'outbound', author: 'agent', text: 'Ya lo reviso', ticketId: 'TK-2026-000001' });
    await log.markAccepted('out-1', 'wamid.out-1', at, 'PN-ACME');
    for (const status of ['sent', 'delivered', 'read']) await log.applyStatus({ wamid: 'wamid.out-1', status, at, phoneNumberId: 'PN-ACME', recipient: '573001234567' });
    // A status that does not move the message forward records nothing.
    await log.applyStatus({ wamid: 'wamid.out-1', status: 'delivered', at, phoneNumberId: 'PN-ACME', recipient: '573001234567' });
    await relay.idle();
    expect(typesOf('wamid.in-1')).toEqual(['conversation.message.received', 'ticket.message.added']);
    expect(typesOf('out-1')).toEqual(['ticket.message.added']);
    expect(typesOf('wamid.out-1')).toEqual(['conversation.message.sent', 'message.sent', 'message.delivered', 'message.read']);
    expect(handed.find((e) => e.type === 'conversation.message.sent')?.data).toMatchObject({ message: { id: 'wamid.out-1', author: 'agent', text: 'Ya lo reviso', ticket_id: 'TK-2026-000001' } });
    valid();
  });

  it('a contact: created through the API and by a first WhatsApp message, only for an organization that wants it', async () => {
    const { contacts } = createContactStores(conn, relay);
    const made = await contacts.create('org_acme', { phone: '573005550001', name: 'Laura' });
    const { id: fromWhatsApp } = await contacts.recordWhatsApp({ orgId: 'org_acme', phone: '573005550002', profileName: 'Lau', at: new Date() });
    const unwanted = await contacts.create('org_other', { phone: '573005550003', name: 'Nadie' });
    await relay.idle();
    expect(typesOf(made._id)).toEqual(['contact.created']);
    expect(typesOf(fromWhatsApp)).toEqual(['contact.created']);
    expect(typesOf(unwanted._id)).toEqual([]);
    expect(handed.find((e) => e.resource.id === fromWhatsApp)?.data).toMatchObject({ contact: { phone: '573005550002', name: 'Lau', source: 'whatsapp' } });
    valid();
  });

  it('a contact opting out (through the API, or a bulk row) records contact.unsubscribed once; opting in records nothing', async () => {
    const { contacts, imports } = createContactStores(conn, relay);
    const laura = await contacts.create('org_acme', { phone: '573005550010', name: 'Laura', opt_in_status: 'opted_in' });
    await contacts.update('org_acme', laura._id, { opt_in_status: 'opted_out', opt_in_source: 'whatsapp_stop' });
    await contacts.update('org_acme', laura._id, { opt_in_status: 'opted_out' });
    await contacts.update('org_acme', laura._id, { opt_in_status: 'opted_in', opt_in_source: 'web_form' });
    const beto = await contacts.create('org_acme', { phone: '573005550011', name: 'Beto' });
    const imp = await imports.create('org_acme', { source: 'csv' });
    await contacts.upsertBatch('org_acme', { id: imp._id, source: 'csv' }, [{ row: 1, value: { phone: '573005550011', opt_in_status: 'opted_out', opt_in_source: 'csv' } }]);
    await relay.idle();
    await relay.sweep();
    expect(typesOf(laura._id)).toEqual(['contact.created', 'contact.unsubscribed']);
    expect(handed.find((e) => e.type === 'contact.unsubscribed' && e.resource.id === laura._id)?.data).toMatchObject({ contact_id: laura._id, source: 'whatsapp_stop' });
    expect(typesOf(beto._id)).toEqual(['contact.created', 'contact.unsubscribed']);
    expect((await contacts.get('org_acme', laura._id))?.opt_in_status).toBe('opted_in');
    valid();
  });
});
