/**
 * What the campaign and enrollment stores record in their documents' outboxes, through a relay to
 * a recording sink: campaign.started (start and resume), campaign.paused and contact.enrolled, each
 * with the data its catalog entry documents, only for an organization that wants them.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, DEFAULT_SETTINGS } from '../../../src/campaigns/criteria.js';
import { CAMPAIGN_EVENT_COLLECTIONS } from '../../../src/campaigns/index.js';
import { createEnrollmentStore } from '../../../src/campaigns/enrollments.js';
import { createCampaignStore } from '../../../src/campaigns/store.js';
import { EVENT_DATA } from '../../../src/platform/events/catalog.js';
import { createOutboxRelay, type OutboxRelay } from '../../../src/platform/events/outbox.js';
import type { EventSink, PuenteEvent } from '../../../src/platform/events/types.js';
import { createLogger } from '../../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from '../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys } from '../../helpers/redis.js';

describe('campaign events', () => {
  const prefix = `test-${randomUUID()}`;
  let conn: Connection;
  let redis: Redis;
  let relay: OutboxRelay;
  const handed: PuenteEvent[] = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('campaign_events'))).asPromise();
    redis = new Redis(TEST_REDIS_URL);
    const sink: EventSink = {
      publish: async (events) => void handed.push(...events.filter((e) => !handed.some((h) => h.id === e.id))),
      wants: async (orgId) => orgId === 'org_acme',
    };
    relay = createOutboxRelay({ connection: conn, redis, keyPrefix: prefix, sink, logger: createLogger({ level: 'silent' }), collections: [...CAMPAIGN_EVENT_COLLECTIONS], sweepGraceMs: 0 });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  const valid = () => {
    for (const e of handed) expect(EVENT_DATA[e.type].safeParse(e.data).success, `${e.type} ${JSON.stringify(e.data)}`).toBe(true);
  };
  const newCampaign = { name: 'Lanzamiento', target_criteria: DEFAULT_CRITERIA, settings: DEFAULT_SETTINGS };

  it('start, pause, resume: campaign.started, campaign.paused, campaign.started (resumed), in order; archive records none', async () => {
    const campaigns = createCampaignStore(conn, relay);
    const T0 = new Date('2026-03-01T13:00:00Z');
    const c = await campaigns.create('org_acme', newCampaign, 'api:key_1', T0);
    await campaigns.act('org_acme', c._id, 'start', { by: 'api:key_1', reason: 'Lanzamiento' }, new Date(T0.getTime() + 1_000));
    await campaigns.act('org_acme', c._id, 'pause', { by: 'api:key_1' }, new Date(T0.getTime() + 2_000));
    await campaigns.act('org_acme', c._id, 'resume', { by: 'api:key_1' }, new Date(T0.getTime() + 3_000));
    await campaigns.act('org_acme', c._id, 'archive', { by: 'api:key_1' }, new Date(T0.getTime() + 4_000));
    await relay.idle();
    const mine = handed.filter((e) => e.resource.id === c._id);
    expect(mine.map((e) => e.type)).toEqual(['campaign.started', 'campaign.paused', 'campaign.started']);
    expect(mine.map((e) => e.data)).toEqual([
      { campaign: { id: c._id, name: 'Lanzamiento', status: 'active', reason: 'Lanzamiento', at: '2026-03-01T13:00:01.000Z' } },
      { campaign: { id: c._id, name: 'Lanzamiento', status: 'paused', reason: null, at: '2026-03-01T13:00:02.000Z' } },
      { campaign: { id: c._id, name: 'Lanzamiento', status: 'active', reason: 'resumed', at: '2026-03-01T13:00:03.000Z' } },
    ]);
    expect(mine.every((e) => e.org_id === 'org_acme' && e.resource.type === 'campaign')).toBe(true);
    // Handed over and removed from the document.
    expect(await conn.collection('campaigns').findOne({ _id: c._id as never, _outbox: { $exists: true } })).toBeNull();
    valid();
  });

  it('contact.enrolled for each new enrollment (not for one already enrolled), only where wanted', async () => {
    const enrollments = createEnrollmentStore(conn, relay);
    const at = new Date('2026-03-01T14:00:00Z');
    const first = await enrollments.insertBatch('org_acme', 'cmp_1', ['ct_a', 'ct_b'], { source: 'api' }, at);
    const again = await enrollments.insertBatch('org_acme', 'cmp_1', ['ct_b', 'ct_c'], { source: 'criteria' }, at);
    expect(first.inserted.map((e) => e.contact_id)).toEqual(['ct_a', 'ct_b']);
    expect(again).toMatchObject({ duplicates: ['ct_b'], inserted: [{ contact_id: 'ct_c' }] });
    await enrollments.insertBatch('org_other', 'cmp_2', ['ct_z'], { source: 'api' }, at);
    await relay.idle();
    const enrolled = handed.filter((e) => e.type === 'contact.enrolled');
    expect(enrolled.map((e) => [e.resource, e.data])).toEqual([
      [{ type: 'contact', id: 'ct_a' }, { enrollment: { campaign_id: 'cmp_1', contact_id: 'ct_a', at: '2026-03-01T14:00:00.000Z' } }],
      [{ type: 'contact', id: 'ct_b' }, { enrollment: { campaign_id: 'cmp_1', contact_id: 'ct_b', at: '2026-03-01T14:00:00.000Z' } }],
      [{ type: 'contact', id: 'ct_c' }, { enrollment: { campaign_id: 'cmp_1', contact_id: 'ct_c', at: '2026-03-01T14:00:00.000Z' } }],
    ]);
    valid();
  });

  it('a large batch leaves its events to the outbox sweep, which hands them all over', async () => {
    const enrollments = createEnrollmentStore(conn, relay);
    const ids = Array.from({ length: 120 }, (_v, i) => `ct_bulk_${i}`);
    await enrollments.insertBatch('org_acme', 'cmp_bulk', ids, { source: 'criteria' });
    await relay.idle();
    expect(handed.filter((e) => e.type === 'contact.enrolled' && (e.data as { enrollment: { campaign_id: string } }).enrollment.campaign_id === 'cmp_bulk')).toHaveLength(0);
    expect(await relay.sweep()).toBe(120);
    expect(handed.filter((e) => e.type === 'contact.enrolled' && (e.data as { enrollment: { campaign_id: string } }).enrollment.campaign_id === 'cmp_bulk')).toHaveLength(120);
  });
});
