import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthLock } from '../../../bot/auth-lock.js';
import { createSessionStore } from '../../../bot/session-store.js';
import { initialSnapshot } from '../../../bot/snapshot.js';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { memoryLogger } from '../../helpers/deps.js';
import { contactWithLead, json, privacyHarness, ticketFor, type Org, type PrivacyHarness } from './helpers.js';

/** Acme's and Other's business numbers. */
const ACME_NUMBER = '100000000000001';
const OTHER_NUMBER = '100000000000002';
const ZEROS = { messages: 0, contacts: 0, leads: 0, tickets_anonymized: 0, sessions: 0 };

describe('erasure of one WhatsApp user’s data (POST /api/v1/privacy/erasures and the admin variant)', () => {
  let h: PrivacyHarness;
  let acme: Org;
  let other: Org;
  const logs = memoryLogger('info');

  beforeAll(async () => {
    h = await privacyHarness(logs.logger);
    acme = await h.org('Acme', [ACME_NUMBER]);
    other = await h.org('Other', [OTHER_NUMBER]);
  });
  afterAll(async () => h.deps.cleanup());

  const db = () => h.deps.mongo.connection;
  const sessions = () => createSessionStore({ redis: h.deps.redis, keyPrefix: h.deps.keyPrefix, ttlSeconds: 1800 });
  const authLock = () => createAuthLock({ redis: h.deps.redis, keyPrefix: h.deps.keyPrefix });

  /** A conversation of `waId` on `number`: `inbound` user messages and one bot answer in the log, a bot session and a failed authentication. */
  async function conversation(number: string, waId: string, inbound = 2): Promise<void> {
    const key = conversationKey(number, waId);
    for (let i = 0; i < inbound; i++) {
      await h.deps.conversations.log.logInbound({ conversationKey: key, phoneNumberId: number, waId, direction: 'inbound', author: 'user', type: 'text', text: 'Mi cédula es 1020304050', wamid: `wamid.er-${randomUUID()}`, at: new Date() });
    }
    await h.deps.conversations.log.logQueued({ conversationKey: key, phoneNumberId: number, waId, direction: 'outbound', author: 'bot', type: 'text', text: 'Gracias, Ana', outboundId: `out-${randomUUID()}`, at: new Date() });
    await sessions().write(key, { ...initialSnapshot(new Date()), state: 'main_menu', authenticated: true, customer: { customerId: '1020304050', customerName: 'Ana Gómez', serviceSuspended: false } });
    await authLock().recordFailure(key);
    // The open conversation's record and a campaign's mark, as the tracker and the sender leave them.
    await h.deps.redis.hset(`${h.deps.keyPrefix}:conv:${key}`, { w: 'wamid.first', p: number, u: waId });
    await h.deps.redis.zadd(`${h.deps.keyPrefix}:conv-idle`, Date.now(), key);
    await h.deps.redis.set(`${h.deps.keyPrefix}:cmp:recent:${key}`, '1');
  }
  /** The Redis keys besides the bot's that hold the user's number. */
  const trackedKeys = async (number: string, waId: string) => {
    const key = conversationKey(number, waId);
    const { redis, keyPrefix } = h.deps;
    return (await redis.exists(`${keyPrefix}:conv:${key}`, `${keyPrefix}:cmp:recent:${key}`)) + (await redis.zscore(`${keyPrefix}:conv-idle`, key) === null ? 0 : 1);
  };
  const messagesOf = (waId: string, number: string) => db().collection('messages').countDocuments({ waId, phoneNumberId: number });
  const erase = (org: Org, phone: string) => org.call('/api/v1/privacy/erasures', 'POST', { phone });

  it('erases the user’s log, sessions, contact (with leads, tasks, scores) in the calling organization, anonymizes its closed tickets, and leaves another organization alone', async () => {
    const user = '573001112233';
    const bystander = '573009998877';
    await conversation(ACME_NUMBER, user);
    await conversation(OTHER_NUMBER, user, 1);
    await conversation(ACME_NUMBER, bystander, 1);
    const ours = await contactWithLead(acme, '+57 300 111 2233');
    const theirs = await contactWithLead(other, '3001112233');
    const acmeTicket = await ticketFor(h.deps.bridge.tickets, ACME_NUMBER, user, { closedAt: new Date() });
    const otherTicket = await ticketFor(h.deps.bridge.tickets, OTHER_NUMBER, user, { closedAt: new Date() });

    // Any notation of the number: read like a contact's phone.
    const res = await erase(acme, '300 111 22 33');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toEqual({ erased: { messages: 3, contacts: 1, leads: 1, tickets_anonymized: 1, sessions: 2 } });

    // Acme's side is gone.
    expect(await messagesOf(user, ACME_NUMBER)).toBe(0);
    expect(await sessions().read(conversationKey(ACME_NUMBER, user))).toBeUndefined();
    expect(await h.deps.redis.exists(`${h.deps.keyPrefix}:auth-failures:${conversationKey(ACME_NUMBER, user)}`)).toBe(0);
    expect(await trackedKeys(ACME_NUMBER, user)).toBe(0);
    expect((await acme.call(`/api/v1/contacts/${ours.contactId}`)).status).toBe(404);
    expect((await acme.call(`/api/v1/leads/${ours.leadId}`)).status).toBe(404);
    expect(await db().collection('leads').countDocuments({ _id: ours.leadId } as never)).toBe(0);
    expect(await db().collection('lead_tasks').countDocuments({ lead_id: ours.leadId })).toBe(0);
    expect(await db().collection('lead_scores').countDocuments({ lead_id: ours.leadId })).toBe(0);
    const ticket = await db().collection('tickets').findOne({ ticketId: acmeTicket });
    expect(ticket).toMatchObject({
      userPhone: 'erased',
      conversationKey: `${ACME_NUMBER}:erased`,
      phoneNumberId: ACME_NUMBER,
      status: 'closed',
      closeReason: 'agent_resolved',
      category: 'soporte_agente',
      customer: { customerId: 'erased', customerName: 'erased', serviceSuspended: false },
      userContext: { phoneNumber: 'erased', customerId: 'erased', customerName: 'erased', isAuthenticated: true },
    });
    expect(ticket?.customer).not.toHaveProperty('extra');
    expect(ticket?.closedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(ticket)).not.toMatch(/3001112233|Ana Gómez|1020304050|Calle 10/);

    // Other's data and another user's are untouched.
    expect(await messagesOf(user, OTHER_NUMBER)).toBe(2);
    expect(await messagesOf(bystander, ACME_NUMBER)).toBe(2);
    expect(await sessions().read(conversationKey(OTHER_NUMBER, user))).toBeDefined();
    expect(await sessions().read(conversationKey(ACME_NUMBER, bystander))).toBeDefined();
    expect(await trackedKeys(OTHER_NUMBER, user)).toBe(3);
    expect(await trackedKeys(ACME_NUMBER, bystander)).toBe(3);
    expect((await other.call(`/api/v1/contacts/${theirs.contactId}`)).status).toBe(200);
    expect((await other.call(`/api/v1/leads/${theirs.leadId}`)).status).toBe(200);
    expect(await db().collection('lead_tasks').countDocuments({ lead_id: theirs.leadId })).toBe(1);
    expect(await db().collection('tickets').findOne({ ticketId: otherTicket })).toMatchObject({ userPhone: user, customer: { customerName: 'Ana Gómez', extra: { address: 'Calle 10 # 43-12, Medellín' } } });

    // Idempotent: a second call finds nothing left.
    const again = await erase(acme, '+573001112233');
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ erased: ZEROS });

    // Logged without the phone in full.
    const line = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'personal data erased' && l.scope === acme.orgId);
    expect(line).toMatchObject({ scope: acme.orgId, messages: 3, contacts: 1, leads: 1, tickets_anonymized: 1, sessions: 2, phone: '********2233' });
    expect(logs.lines.filter((l) => l.includes('personal data erased')).join('\n')).not.toContain('573001112233');
  });

  it('refuses with 409 and erases nothing while the user has an open ticket in the organization; goes ahead once it is closed', async () => {
    const user = '573002223344';
    await conversation(ACME_NUMBER, user);
    const { contactId } = await contactWithLead(acme, user);
    const open = await ticketFor(h.deps.bridge.tickets, ACME_NUMBER, user);

    const refused = await erase(acme, user);
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ error: { code: 'CONFLICT', details: { open_tickets: [open] } } });
    expect(await messagesOf(user, ACME_NUMBER)).toBe(3);
    expect(await sessions().read(conversationKey(ACME_NUMBER, user))).toBeDefined();
    expect((await acme.call(`/api/v1/contacts/${contactId}`)).status).toBe(200);
    expect(await db().collection('tickets').findOne({ ticketId: open })).toMatchObject({ userPhone: user, status: 'pending' });

    await h.deps.bridge.tickets.close(open, 'agent_resolved', new Date());
    const done = await erase(acme, user);
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({ erased: { messages: 3, contacts: 1, leads: 1, tickets_anonymized: 1, sessions: 2 } });
  });

  it('is not blocked by another organization’s open ticket for the same user', async () => {
    const user = '573003334455';
    await conversation(ACME_NUMBER, user, 1);
    await conversation(OTHER_NUMBER, user, 1);
    const theirs = await ticketFor(h.deps.bridge.tickets, OTHER_NUMBER, user);
    const res = await erase(acme, user);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ erased: { ...ZEROS, messages: 2, sessions: 2 } });
    expect(await messagesOf(user, OTHER_NUMBER)).toBe(2);
    expect(await db().collection('tickets').findOne({ ticketId: theirs })).toMatchObject({ userPhone: user, open: true });
  });

  it('needs a key with the admin scope (403), a valid phone (422) and a phone at all (400)', async () => {
    const user = '573004445566';
    await conversation(ACME_NUMBER, user, 1);
    const forbidden = await acme.callWithoutAdmin('/api/v1/privacy/erasures', 'POST', { phone: user });
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await messagesOf(user, ACME_NUMBER)).toBe(2);
    const invalid = await erase(acme, 'llámame');
    expect(invalid.status).toBe(422);
    expect(await json(invalid)).toMatchObject({ error: { code: 'INVALID_VALUE', details: [{ path: 'phone' }] } });
    expect((await acme.call('/api/v1/privacy/erasures', 'POST', {})).status).toBe(400);
  });

  it('the platform owner erases the user in every organization (API_ADMIN_KEY), also refused by an open ticket anywhere', async () => {
    const user = '573005556677';
    await conversation(ACME_NUMBER, user);
    await conversation(OTHER_NUMBER, user, 1);
    await contactWithLead(acme, user);
    await contactWithLead(other, user);
    const theirs = await ticketFor(h.deps.bridge.tickets, OTHER_NUMBER, user);
    await ticketFor(h.deps.bridge.tickets, ACME_NUMBER, user, { closedAt: new Date() });

    const refused = await h.admin('/api/v1/admin/privacy/erasures', { phone: user });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ error: { details: { open_tickets: [theirs] } } });
    expect(await messagesOf(user, ACME_NUMBER)).toBe(3);

    await h.deps.bridge.tickets.close(theirs, 'customer_left', new Date());
    const res = await h.admin('/api/v1/admin/privacy/erasures', { phone: '+57 300 555 6677' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toEqual({ erased: { messages: 5, contacts: 2, leads: 2, tickets_anonymized: 2, sessions: 4 } });
    expect(await db().collection('messages').countDocuments({ waId: user })).toBe(0);
    expect(await db().collection('contacts').countDocuments({ phone: user })).toBe(0);
    expect(await db().collection('tickets').countDocuments({ userPhone: user })).toBe(0);
    expect(await db().collection('tickets').countDocuments({ userPhone: 'erased', phoneNumberId: { $in: [ACME_NUMBER, OTHER_NUMBER] } })).toBeGreaterThanOrEqual(2);
    expect(await json(await h.admin('/api/v1/admin/privacy/erasures', { phone: user }))).toEqual({ erased: ZEROS });

    // An organization's key is not the platform owner's.
    const withOrgKey = await acme.call('/api/v1/admin/privacy/erasures', 'POST', { phone: user });
    expect(withOrgKey.status).toBe(401);
  });

  it('documents both operations with their security in the OpenAPI document', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { description?: string; security?: unknown }>> };
    const v1 = doc.paths['/api/v1/privacy/erasures']?.post;
    const admin = doc.paths['/api/v1/admin/privacy/erasures']?.post;
    expect(v1?.security).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
    expect(admin?.security).toEqual([{ adminKey: [] }, { adminKeyBearer: [] }]);
    expect(v1?.description).toMatch(/anonymized, not deleted/);
    expect(v1?.description).toMatch(/admin/);
  });
});
