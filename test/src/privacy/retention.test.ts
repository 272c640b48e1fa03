import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivacyModule, privacyQueues, RETENTION_EVERY_MS } from '../../../src/privacy/index.js';
import { createRetention } from '../../../src/privacy/retention.js';
import { createContactStores } from '../../../src/contacts/store.js';
import { conversationKey } from '../../../src/whatsapp/normalize.js';
import { freshPhone } from '../../helpers/business-fixtures.js';
import { contactWithLead, privacyHarness, ticketFor, type Org, type PrivacyHarness } from './helpers.js';

const DAY = 86_400_000;
const NUMBER = '118724605391736';

describe('retention purge', () => {
  let h: PrivacyHarness;
  let acme: Org;
  const T = new Date();
  const ago = (days: number) => new Date(T.getTime() - days * DAY);
  const after = (days: number) => new Date(T.getTime() + days * DAY);

  beforeAll(async () => {
    h = await privacyHarness();
    acme = await h.org('Acme', []);
  });
  afterAll(async () => h.deps.cleanup());

  const db = () => h.deps.mongo.connection;
  const logMessage = (waId: string, at: Date) =>
    h.deps.conversations.log.logInbound({ conversationKey: conversationKey(NUMBER, waId), phoneNumberId: NUMBER, waId, direction: 'inbound', author: 'user', type: 'text', text: 'Mi cédula es 1020304050', wamid: `wamid.ret-${randomUUID()}`, at });
  const retention = (periods = { messagesDays: 365, ticketsDays: 730, leadsDays: 1095 }, bounds: { batchSize?: number; maxBatches?: number } = {}) =>
    createRetention({ connection: db(), periods, metrics: undefined, now: () => T, ...bounds });
  const metricValue = async (collection: string) => {
    const metric = (await h.deps.metrics.registry.getSingleMetric('puente_retention_deleted_total')?.get())?.values.find((v) => v.labels.collection === collection);
    return metric?.value ?? 0;
  };

  it('deletes exactly the messages, closed tickets and closed leads (with their tasks and scores) past their periods, and keeps the rest', async () => {
    const user = '573001230001';
    await logMessage(user, ago(400));
    await logMessage(user, ago(366));
    await logMessage(user, ago(364));
    await logMessage(user, ago(1));
    const oldClosed = await ticketFor(h.deps.bridge.tickets, NUMBER, '573001230002', { openedAt: ago(801), closedAt: ago(800) });
    const recentClosed = await ticketFor(h.deps.bridge.tickets, NUMBER, '573001230003', { openedAt: ago(101), closedAt: ago(100) });
    // Open for years (never closed): never purged.
    const oldOpen = await ticketFor(h.deps.bridge.tickets, NUMBER, '573001230004', { openedAt: ago(1500) });

    const lost = await contactWithLead(acme, freshPhone());
    const won = await contactWithLead(acme, freshPhone());
    const open = await contactWithLead(acme, freshPhone());
    for (const [lead, stage] of [[lost.leadId, 'lost'], [won.leadId, 'customer']] as const) {
      const moved = await acme.call(`/api/v1/leads/${lead}/stage`, 'PUT', { stage, stage_reason: 'Prueba' });
      expect(moved.status, await moved.clone().text()).toBe(200);
    }

    // The module's purge (its clock at T), as the hourly job runs it.
    const privacy = createPrivacyModule({ ...h.deps, connection: db(), contacts: createContactStores(db()).contacts, orgs: h.deps.apiKeys.store, now: () => T });
    const first = await privacy.retention.purge();
    expect(first).toEqual({ messages: 2, tickets: 1, leads: 0, lead_tasks: 0, lead_scores: 0, complete: true });
    const kept = await db().collection('messages').find({ waId: user }).sort({ at: 1 }).toArray();
    expect(kept.map((m) => (m.at as Date).getTime())).toEqual([ago(364).getTime(), ago(1).getTime()]);
    expect((await db().collection('tickets').find({}).toArray()).map((t) => t.ticketId).sort()).toEqual([recentClosed, oldOpen].sort());
    expect(await db().collection('tickets').countDocuments({ ticketId: oldClosed })).toBe(0);
    expect(await metricValue('messages')).toBe(2);
    expect(await metricValue('tickets')).toBe(1);

    // A day before the leads' period ends nothing of theirs goes; the open ticket stays whatever its age.
    const early = await privacy.retention.purge(after(1094));
    expect(early).toMatchObject({ leads: 0, lead_tasks: 0, lead_scores: 0 });
    expect(await db().collection('tickets').countDocuments({ ticketId: oldOpen })).toBe(1);

    const late = await privacy.retention.purge(after(1096));
    expect(late).toMatchObject({ leads: 2, lead_tasks: 2, complete: true });
    expect(late.lead_scores).toBeGreaterThanOrEqual(2);
    expect(await db().collection('leads').find({}, { projection: { _id: 1 } }).toArray()).toEqual([{ _id: open.leadId }]);
    expect(await db().collection('lead_tasks').find({}, { projection: { _id: 1 } }).toArray()).toEqual([{ _id: open.taskId }]);
    expect(await db().collection('lead_scores').countDocuments({ lead_id: { $in: [lost.leadId, won.leadId] } })).toBe(0);
    expect(await db().collection('lead_scores').countDocuments({ lead_id: open.leadId })).toBeGreaterThan(0);
    // The contacts stay: erasure removes a contact, retention does not.
    expect((await acme.call(`/api/v1/contacts/${lost.contactId}`)).status).toBe(200);
    expect(await db().collection('tickets').countDocuments({ ticketId: oldOpen })).toBe(1);
    expect(await metricValue('leads')).toBe(2);
    expect(await metricValue('lead_tasks')).toBe(2);
  });

  it('keeps everything forever when a period is 0', async () => {
    const user = '573001230011';
    await logMessage(user, ago(5000));
    await ticketFor(h.deps.bridge.tickets, NUMBER, user, { openedAt: ago(5001), closedAt: ago(5000) });
    const result = await retention({ messagesDays: 0, ticketsDays: 0, leadsDays: 0 }).purge(after(10_000));
    expect(result).toEqual({ messages: 0, tickets: 0, leads: 0, lead_tasks: 0, lead_scores: 0, complete: true });
    expect(await db().collection('messages').countDocuments({ waId: user })).toBe(1);
    expect(await db().collection('tickets').countDocuments({ userPhone: user })).toBe(1);
  });

  it('deletes in batches and stops at the run’s bound; the next run carries on', async () => {
    const user = '573001230021';
    for (let i = 0; i < 5; i++) await logMessage(user, ago(9000 + i));
    const bounded = retention({ messagesDays: 8000, ticketsDays: 0, leadsDays: 0 }, { batchSize: 2, maxBatches: 2 });
    expect(await bounded.purge()).toMatchObject({ messages: 4, complete: false });
    expect(await db().collection('messages').countDocuments({ waId: user })).toBe(1);
    expect(await bounded.purge()).toMatchObject({ messages: 1, complete: true });
    expect(await db().collection('messages').countDocuments({ waId: user })).toBe(0);
  });

  it('has an index serving each purge query', async () => {
    const names = async (collection: string) => (await db().collection(collection).listIndexes().toArray()).map((i) => ({ key: i.key as Record<string, number>, partial: i.partialFilterExpression as unknown }));
    expect(await names('messages')).toContainEqual({ key: { at: 1 }, partial: undefined });
    expect((await names('tickets')).map((i) => i.key)).toContainEqual({ closedAt: 1 });
    expect(await names('leads')).toContainEqual({ key: { updated_at: 1 }, partial: { open: false } });
  });

  it('schedules itself hourly on its own queue from the module’s workers and runs the purge as the job', async () => {
    const privacy = h.deps.modules.find((m) => m.name === 'privacy');
    expect(privacy?.workers).toBeDefined();
    const [definition] = privacy!.workers!({ laneHandler: async () => undefined, mailboxes: [] } as never);
    expect(definition).toMatchObject({ queue: privacyQueues.retention, concurrency: 1 });
    const queue = h.deps.queues.get(privacyQueues.retention);
    await expect.poll(async () => (await queue.getJobSchedulers()).map((s) => ({ key: s.key, every: Number(s.every) })), { timeout: 5_000 }).toEqual([{ key: 'retention-purge', every: RETENTION_EVERY_MS }]);
    const result = (await definition!.processor({} as never)) as Record<string, unknown>;
    expect(result).toMatchObject({ complete: true });
    // Listed among the queues Bull Board shows.
    expect(h.deps.queues.all().map((q) => q.name)).toContain(privacyQueues.retention);
  });
});
