/**
 * conversation.started / conversation.ended as the conversation tracker and the log record them:
 * one started per conversation however often its first message is processed, one ended however
 * often the end is asked for (a retried lane item, a crash between MongoDB and Redis, a repeated
 * sweep), an idle end only when the user stayed silent and no ticket is open.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../../../queues/mailbox.js';
import { createConversationLog } from '../../../../src/conversations/conversation-log.js';
import { conversationIdOf, createConversationTracker, type ConversationIdleItem } from '../../../../src/conversations/conversation-tracker.js';
import { messageModel } from '../../../../src/conversations/message-log.js';
import { EVENT_DATA } from '../../../../src/platform/events/catalog.js';
import { createOutboxRelay, type OutboxRelay } from '../../../../src/platform/events/outbox.js';
import type { EventSink, PuenteEvent } from '../../../../src/platform/events/types.js';
import { createLogger } from '../../../../src/platform/logging/logger.js';
import { mongoUriFor, uniqueDbName } from '../../../helpers/mongo.js';
import { TEST_REDIS_URL, deleteKeys } from '../../../helpers/redis.js';

const PN = 'PN-ACME';
const IDLE_SECONDS = 60;

describe('conversation events', () => {
  const prefix = `test-${randomUUID()}`;
  const logger = createLogger({ level: 'silent' });
  let conn: Connection;
  let redis: Redis;
  let relay: OutboxRelay;
  const handed: PuenteEvent[] = [];
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const pushed: { lane: string; item: ConversationIdleItem; dedupeKey?: string }[] = [];
  const openTickets = new Set<string>();
  let tracker: ReturnType<typeof createConversationTracker>;
  let log: ReturnType<typeof createConversationLog>;
  let idleHandler: (item: ConversationIdleItem, ctx: HandlerContext) => Promise<unknown>;

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUriFor(uniqueDbName('conversations'))).asPromise();
    redis = new Redis(TEST_REDIS_URL);
    const sink: EventSink = {
      publish: async (events) => void handed.push(...events.filter((e) => !handed.some((h) => h.id === e.id))),
      wants: async () => true,
    };
    relay = createOutboxRelay({ connection: conn, redis, keyPrefix: prefix, sink, logger, collections: ['messages'], sweepGraceMs: 0 });
    log = createConversationLog(messageModel(conn), { events: relay, orgForNumber: async () => 'org_acme' });
    tracker = createConversationTracker({
      redis,
      keyPrefix: prefix,
      idleSeconds: IDLE_SECONDS,
      log,
      logger,
      now: () => clock,
      lanes: {
        push: async (requests) => {
          // Like the mailbox: a dedupe key is accepted once.
          const fresh = requests.filter((r) => !pushed.some((p) => p.dedupeKey === r.dedupeKey));
          pushed.push(...fresh);
          return requests.map((r) => (fresh.includes(r) ? 'queued' : 'duplicate'));
        },
      },
    });
    const handlers = tracker.laneHandlers({ findOpen: async (lane) => (openTickets.has(lane) ? { ticketId: 'TK-1', take: async () => true } : null) });
    idleHandler = handlers.conversation_idle as never;
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  const ctx = (lane: string) => ({ lane, jobId: 'd-1', attempt: 1, claim: 'd-1|t', logger }) as HandlerContext;
  /** What the inbound turn does with a user's message: the tracker, then the log write. */
  async function inbound(waId: string, wamid: string, text = 'hola') {
    const lane = `${PN}:${waId}`;
    const at = new Date(clock);
    const conversation = await tracker.touch(lane, { wamid, at, phoneNumberId: PN, waId });
    await log.logInbound({ wamid, conversationKey: lane, phoneNumberId: PN, waId, direction: 'inbound', author: 'user', type: 'text', text, at }, conversation);
    return conversation;
  }
  const conversationEvents = (waId: string) => handed.filter((e) => e.resource.type === 'conversation' && (e.data as { conversation: { user_phone: string } }).conversation.user_phone === waId);
  const valid = () => {
    for (const e of handed) expect(EVENT_DATA[e.type].safeParse(e.data).success, `${e.type} ${JSON.stringify(e.data)}`).toBe(true);
  };

  it('the first message opens a conversation (once, even when processed again); the next ones belong to it; "salir" ends it once', async () => {
    const first = await inbound('573001110001', 'wamid.c1-1');
    expect(first).toMatchObject({ opened: true, id: conversationIdOf('wamid.c1-1'), first: 'wamid.c1-1' });
    // The same item processed again (a retried lane item, a crash after the script): told it opened, recorded once.
    expect(await inbound('573001110001', 'wamid.c1-1')).toMatchObject({ opened: true, id: first.id });
    clock += 1_000;
    expect(await inbound('573001110001', 'wamid.c1-2', 'quiero un plan')).toMatchObject({ opened: false, id: first.id });
    clock += 1_000;
    await inbound('573001110001', 'wamid.c1-3', 'salir');
    expect(await tracker.userLeft(`${PN}:573001110001`)).toBe(true);
    expect(await tracker.userLeft(`${PN}:573001110001`)).toBe(false);
    await relay.idle();

    const events = conversationEvents('573001110001');
    expect(events.map((e) => e.type)).toEqual(['conversation.started', 'conversation.ended']);
    expect(events.every((e) => e.resource.id === first.id && e.org_id === 'org_acme')).toBe(true);
    expect(events[0]!.data).toEqual({ conversation: { id: first.id, user_phone: '573001110001', phone_number_id: PN, started_at: '2026-03-01T10:00:00.000Z', ended_at: null } });
    expect(events[1]!.data).toMatchObject({ conversation: { id: first.id, started_at: '2026-03-01T10:00:00.000Z', ended_at: '2026-03-01T10:00:02.000Z' }, reason: 'user_left', last_message_at: '2026-03-01T10:00:02.000Z' });
    // The started event precedes the message's own event in the outbox of the first message.
    expect(handed.filter((e) => e.resource.id === first.id || e.resource.id === 'wamid.c1-1').map((e) => e.type).slice(0, 2)).toEqual(['conversation.started', 'conversation.message.received']);

    // The next message starts the next conversation.
    clock += 1_000;
    const next = await inbound('573001110001', 'wamid.c1-4');
    expect(next).toMatchObject({ opened: true, first: 'wamid.c1-4' });
    expect(next.id).not.toBe(first.id);
    await relay.idle();
    expect(conversationEvents('573001110001').map((e) => e.type)).toEqual(['conversation.started', 'conversation.ended', 'conversation.started']);
    valid();
  });

  it('an end asked again after a crash between MongoDB and Redis records nothing more', async () => {
    const lane = `${PN}:573001110002`;
    const conversation = await inbound('573001110002', 'wamid.c2-1');
    // The end reached MongoDB, then the process died before Redis forgot the conversation.
    await log.endConversation({ first: conversation.first, id: conversation.id, phoneNumberId: PN, waId: '573001110002', startedAt: conversation.startedAt, lastMessageAt: conversation.startedAt, reason: 'user_left', at: new Date(clock) });
    expect(await tracker.userLeft(lane)).toBe(true);
    await relay.idle();
    expect(conversationEvents('573001110002').map((e) => e.type)).toEqual(['conversation.started', 'conversation.ended']);
  });

  it('idle: the sweep hands the conversation to its lane once per silence; it ends once, not while the user writes or a ticket is open', async () => {
    const quiet = `${PN}:573001110003`;
    const chatty = `${PN}:573001110004`;
    const withAgent = `${PN}:573001110005`;
    const conversation = await inbound('573001110003', 'wamid.c3-1');
    await inbound('573001110004', 'wamid.c4-1');
    await inbound('573001110005', 'wamid.c5-1');
    openTickets.add(withAgent);

    clock += (IDLE_SECONDS - 1) * 1000;
    await tracker.sweep();
    expect(pushed.filter((p) => [quiet, chatty, withAgent].includes(p.lane))).toEqual([]);

    clock += 2_000;
    await tracker.sweep();
    await tracker.sweep(); // a second janitor run before the lanes got to it adds nothing
    const items = () => pushed.filter((p) => [quiet, chatty, withAgent].includes(p.lane));
    expect(items().map((p) => p.lane).sort()).toEqual([quiet, chatty, withAgent].sort());

    // The chatty user writes before the lane reaches the idle item: it is ignored.
    await inbound('573001110004', 'wamid.c4-2', 'sigo aquí');
    for (const p of items()) await idleHandler(p.item, ctx(p.lane));
    // Processed again (the lane retried the item): nothing more.
    for (const p of items()) await idleHandler(p.item, ctx(p.lane));
    await relay.idle();

    expect(conversationEvents('573001110003').map((e) => e.type)).toEqual(['conversation.started', 'conversation.ended']);
    expect(conversationEvents('573001110003')[1]!.data).toMatchObject({ conversation: { id: conversation.id }, reason: 'idle' });
    expect(conversationEvents('573001110004').map((e) => e.type)).toEqual(['conversation.started']);
    expect(conversationEvents('573001110005').map((e) => e.type)).toEqual(['conversation.started']);

    // The ticket closes; after another idle period the conversation with the agent ends too.
    openTickets.delete(withAgent);
    clock += (IDLE_SECONDS + 1) * 1000;
    await tracker.sweep();
    const again = pushed.filter((p) => p.lane === withAgent);
    expect(again).toHaveLength(2);
    await idleHandler(again[1]!.item, ctx(withAgent));
    await relay.idle();
    expect(conversationEvents('573001110005').map((e) => e.type)).toEqual(['conversation.started', 'conversation.ended']);
    expect(await redis.exists(`${prefix}:conv:${quiet}`, `${prefix}:conv:${withAgent}`)).toBe(0);
    expect(await redis.zscore(`${prefix}:conv-idle`, quiet)).toBeNull();
    valid();
  });

  it('nothing is written for the end when no subscription wants conversation.ended', async () => {
    const quietLog = createConversationLog(messageModel(conn), { events: { wanted: async () => new Set(), flush: () => undefined }, orgForNumber: async () => 'org_nobody' });
    await quietLog.logInbound({ wamid: 'wamid.c6-1', conversationKey: `${PN}:573001110006`, phoneNumberId: PN, waId: '573001110006', direction: 'inbound', author: 'user', type: 'text', text: 'hola', at: new Date(clock) }, { id: conversationIdOf('wamid.c6-1'), opened: true, startedAt: new Date(clock) });
    await quietLog.endConversation({ first: 'wamid.c6-1', id: conversationIdOf('wamid.c6-1'), phoneNumberId: PN, waId: '573001110006', startedAt: new Date(clock), lastMessageAt: new Date(clock), reason: 'idle', at: new Date(clock) });
    const doc = await messageModel(conn).collection.findOne({ wamid: 'wamid.c6-1' });
    expect(doc).toMatchObject({ conversationId: conversationIdOf('wamid.c6-1') });
    expect(doc?.conversationEndedAt).toBeUndefined();
    expect(doc?._outbox).toBeUndefined();
  });
});
