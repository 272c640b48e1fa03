import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadModels } from '../../../../src/leads/models.js';
import { createLeadStore } from '../../../../src/leads/store.js';
import { createOutboxRelay, OUTBOX_AT_FIELD, OUTBOX_FIELD, type OutboxRelay } from '../../../../src/platform/events/outbox.js';
import type { EventSink, EventType, PuenteEvent } from '../../../../src/platform/events/types.js';
import { EVENT_DATA } from '../../../../src/platform/events/catalog.js';
import { createLogger } from '../../../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from '../../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys } from '../../../helpers/redis.js';

/** A sink that keeps what it was handed, idempotent by event id like the real one, and can be made to fail. */
function recordingSink(wanted: (type: EventType) => boolean = () => true) {
  const seen = new Map<string, PuenteEvent>();
  const order: string[] = [];
  let failures = 0;
  const sink: EventSink & { failNext(n: number): void; events(): PuenteEvent[] } = {
    async publish(events) {
      if (failures > 0) {
        failures--;
        throw new Error('sink down');
      }
      for (const e of events) {
        if (seen.has(e.id)) continue;
        seen.set(e.id, e);
        order.push(e.id);
      }
    },
    wants: async (_org, type) => wanted(type),
    failNext: (n) => void (failures = n),
    events: () => order.map((id) => seen.get(id)!),
  };
  return sink;
}

describe('the outbox: events recorded with the change, handed over after it', () => {
  const prefix = `test-${randomUUID()}`;
  let conn: Connection;
  let redis: Redis;
  const logger = createLogger({ level: 'silent' });
  const relayFor = (sink: EventSink): OutboxRelay => createOutboxRelay({ connection: conn, redis, keyPrefix: prefix, sink, logger, collections: ['leads'], sweepGraceMs: 0 });

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('outbox'))).asPromise();
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  const snapshot = { name: 'Ana', email: null, phone: '573009990001' };

  it('hands a lead’s events over in order, with data of the documented shape, and empties the document’s outbox', async () => {
    const sink = recordingSink();
    const relay = relayFor(sink);
    const leads = createLeadStore(conn, relay);
    const lead = await leads.create('org_a', { contact_id: 'ct_1', contact: snapshot, source: 'api' }, 'api:key_1');
    await leads.changeStage('org_a', lead._id, { stage: 'sql', reason: 'Presupuesto', by: 'api:key_1' });
    await leads.set('org_a', lead._id, { deal_value: 5000 });
    await leads.changeStage('org_a', lead._id, { stage: 'customer', reason: 'Firmó', by: 'api:key_1' });
    await relay.idle();
    const events = sink.events();
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.updated', 'lead.stage.changed', 'lead.updated', 'lead.updated', 'lead.stage.changed', 'lead.converted']);
    expect(events.every((e) => e.org_id === 'org_a' && e.resource.type === 'lead' && e.resource.id === lead._id)).toBe(true);
    for (const e of events) expect(EVENT_DATA[e.type].safeParse(e.data).success, e.type).toBe(true);
    expect(events[2]?.data).toMatchObject({ from: 'lead', to: 'sql', reason: 'Presupuesto', by: 'api:key_1' });
    expect(events.at(-1)?.data).toMatchObject({ lead: { stage: 'customer', deal_value: 5000 } });
    const doc = await leadModels(conn).Lead.collection.findOne({ _id: lead._id } as never);
    expect(doc?.[OUTBOX_FIELD]).toBeUndefined();
    expect(doc?.[OUTBOX_AT_FIELD]).toBeUndefined();
  });

  it('keeps the events in the document when handing over fails, and the sweep delivers them once', async () => {
    const sink = recordingSink();
    const relay = relayFor(sink);
    const leads = createLeadStore(conn, relay);
    sink.failNext(1);
    const lead = await leads.create('org_b', { contact_id: 'ct_2', contact: snapshot, source: 'api' }, 'bot');
    await relay.idle();
    expect(sink.events()).toEqual([]);
    const pending = await leadModels(conn).Lead.collection.findOne({ _id: lead._id } as never);
    expect((pending?.[OUTBOX_FIELD] as unknown[]).length).toBe(1);
    expect(await relay.sweep()).toBe(1);
    expect(await relay.sweep()).toBe(0);
    expect(sink.events().map((e) => e.type)).toEqual(['lead.created']);
  });

  it('records nothing a subscription does not want', async () => {
    const sink = recordingSink((t) => t === 'lead.converted');
    const relay = relayFor(sink);
    const leads = createLeadStore(conn, relay);
    const lead = await leads.create('org_c', { contact_id: 'ct_3', contact: snapshot, source: 'api' }, 'bot');
    expect(await leadModels(conn).Lead.collection.findOne({ _id: lead._id, [OUTBOX_FIELD]: { $exists: true } } as never)).toBeNull();
    await leads.changeStage('org_c', lead._id, { stage: 'customer', reason: null, by: 'bot' });
    await relay.idle();
    expect(sink.events().map((e) => e.type)).toEqual(['lead.converted']);
  });
});
