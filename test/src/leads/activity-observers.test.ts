import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadActivityObservers } from '../../../src/leads/activity-observers.js';
import type { ScoreQueue } from '../../../src/leads/score-queue.js';
import { createLeadStore, type LeadStore } from '../../../src/leads/store.js';
import type { InboundEvent, StatusEvent } from '../../../src/whatsapp/webhook-events.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';

/**
 * WhatsApp activity → lead rescoring, against the real lead store: which leads are scheduled, and
 * that a burst of messages costs one lookup per organization, not one per message.
 */
describe('lead activity observers', () => {
  let conn: Connection;
  let store: LeadStore;
  const NUMBER_A = '111000111';
  const NUMBER_B = '222000222';
  const orgOf: Record<string, string> = { [NUMBER_A]: 'org_a', [NUMBER_B]: 'org_b' };

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('lead_touch'))).asPromise();
    store = createLeadStore(conn);
    const lead = (orgId: string, phone: string, contactId: string) => store.create(orgId, { contact_id: contactId, contact: { name: null, email: null, phone }, source: 'whatsapp' }, 'test');
    await Promise.all([lead('org_a', '573000000001', 'ct_1'), lead('org_a', '573000000002', 'ct_2'), lead('org_b', '573000000001', 'ct_3')]);
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  /** The lead store as it is, with its lookups counted; the score queue records what it is asked. */
  function observe() {
    const lookups: { orgId: string; phones: string[] }[] = [];
    const scheduled: { orgId: string; ids: string[] }[] = [];
    const leads: LeadStore = {
      ...store,
      idsForPhones: (orgId, phones) => {
        lookups.push({ orgId, phones: [...phones] });
        return store.idsForPhones(orgId, phones);
      },
    };
    const scores = { schedule: async (orgId: string, ids: readonly string[]) => void scheduled.push({ orgId, ids: [...ids] }) } as unknown as ScoreQueue;
    const observers = leadActivityObservers({ leads, scores, orgForNumber: async (n) => orgOf[n] ?? 'default' }, 5);
    return { observers, lookups, scheduled };
  }
  const inbound = (phoneNumberId: string, waId: string) => ({ phoneNumberId, waId }) as InboundEvent;

  it("schedules the leads of each writer's phone in the number's organization only", async () => {
    const { observers, scheduled } = observe();
    await observers.inbound(inbound(NUMBER_A, '573000000001'));
    const [one] = scheduled;
    expect(one?.orgId).toBe('org_a');
    expect(one?.ids).toHaveLength(1);
    const orgALead = await conn.collection('leads').findOne({ org_id: 'org_a', 'contact.phone': '573000000001' });
    expect(one?.ids).toEqual([orgALead?._id]);
  });

  it('looks up a burst of messages once per organization, and schedules every lead among them', async () => {
    const { observers, lookups, scheduled } = observe();
    const writers = ['573000000001', '573000000002', '573000000003', '573000000001'];
    await Promise.all([...writers.map((w) => observers.inbound(inbound(NUMBER_A, w))), observers.inbound(inbound(NUMBER_B, '573000000001')), observers.inbound(inbound(NUMBER_B, '573000000009'))]);
    expect(lookups.map((l) => l.orgId).sort()).toEqual(['org_a', 'org_b']);
    expect(lookups.find((l) => l.orgId === 'org_a')?.phones.sort()).toEqual(['573000000001', '573000000002', '573000000003']);
    const byOrg = Object.fromEntries(scheduled.map((s) => [s.orgId, s.ids.length]));
    expect(byOrg).toEqual({ org_a: 2, org_b: 1 });
  });

  it('counts a read receipt as activity, other statuses not', async () => {
    const { observers, lookups } = observe();
    await observers.status({ status: 'delivered', phoneNumberId: NUMBER_A, recipientId: '573000000001' } as StatusEvent);
    expect(lookups).toHaveLength(0);
    await observers.status({ status: 'read', phoneNumberId: NUMBER_A, recipientId: '573000000002' } as StatusEvent);
    expect(lookups).toEqual([{ orgId: 'org_a', phones: ['573000000002'] }]);
  });

  it('rejects every touch of a batch whose lookup failed, so the pipeline logs it', async () => {
    const closed = await mongoose.createConnection(mongoUriFor(uniqueDbName('lead_touch_closed'))).asPromise();
    const broken = createLeadStore(closed);
    await closed.close();
    const failing = leadActivityObservers({ leads: broken, scores: { schedule: async () => undefined } as unknown as ScoreQueue, orgForNumber: async () => 'org_a' }, 5);
    const outcomes = await Promise.allSettled([failing.inbound(inbound(NUMBER_A, '1')), failing.inbound(inbound(NUMBER_A, '2'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
