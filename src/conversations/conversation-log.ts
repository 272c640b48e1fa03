import type { mongo } from 'mongoose';
import { newEvent, noEvents, OUTBOX_AT_FIELD, OUTBOX_FIELD, outboxFields, outboxUpdate, type EventRecorder } from '../platform/events/outbox.js';
import type { EventResource, EventType, PuenteEvent } from '../platform/events/types.js';
import { createBulkWriter } from '../platform/mongo/batch.js';
import type { MessageModel, LoggedError, LoggedMessage } from './message-log.js';
import { statusRank, type LogStatus } from './message-log.js';

/** Raised when a status arrives for a message we have not logged yet (its send is still finishing). */
export class MessageNotLoggedError extends Error {
  constructor(readonly wamid: string) {
    super(`no logged message with wamid ${wamid} yet`);
    this.name = 'MessageNotLoggedError';
  }
}

/** A message as the lead scores see it. */
export type ActivityMessage = Pick<LoggedMessage, 'phoneNumberId' | 'direction' | 'type' | 'text' | 'wamid' | 'status' | 'at'>;

type NewMessage = Omit<LoggedMessage, 'status' | 'statusRank' | 'statusHistory' | 'createdAt' | 'updatedAt'>;

/** Copies `value` without its undefined fields (the driver would store them as null). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Writes to the conversation log. Every write is idempotent (keyed by wamid or our outbound id),
 * because lanes deliver items at least once.
 *
 * The per-message writes (received, queued, accepted, failed) are group-committed: each awaits its
 * own acknowledgement, but writes from concurrent lanes share one `bulkWrite`. They go to the
 * driver directly, so they set `updatedAt`/`createdAt` themselves (mongoose's timestamps do not run).
 */
/** A logged message as its events carry it (src/platform/events/catalog.ts, `EventMessage`). */
function messageEventSnapshot(m: Pick<LoggedMessage, 'wamid' | 'direction' | 'author' | 'type' | 'text' | 'waId' | 'phoneNumberId' | 'ticketId' | 'at'>): Record<string, unknown> {
  return { id: m.wamid ?? null, direction: m.direction, author: m.author, type: m.type, text: m.text ?? null, user_phone: m.waId, phone_number_id: m.phoneNumberId, ticket_id: m.ticketId ?? null, at: m.at.toISOString() };
}

/**
 * A status change that records delivery events (message.sent/delivered/read/failed), as a pipeline
 * update: the same change as `$set` + `$addToSet: { statusHistory }` + the outbox `$push`/`$min`,
 * but each event's `data.message.campaign_id`, `enrollment_id` and `campaign_step` are read from the
 * document's own `campaignId`, `enrollmentId` and `campaignStep` (set when a campaign step was
 * logged as queued) inside that same write. So the event is still recorded
 * atomically with the status it reports (a crash can neither lose nor invent it), a campaign
 * message's events name their campaign, and no status pays an extra read to find out whether its
 * message is a campaign's: the common path stays one update (the plain one when nobody wants the
 * events). Everything else is passed as `$literal`, so no value (an error title with a `$`) is
 * read as an expression.
 */
function statusWithEvents(set: Record<string, unknown>, entry: { status: string; at: Date }, events: readonly PuenteEvent[]): mongo.Document[] {
  const history = { $ifNull: ['$statusHistory', []] };
  const withCampaign = ({ data, ...event }: PuenteEvent) => ({
    $mergeObjects: [
      { $literal: event },
      {
        data: {
          message: {
            $mergeObjects: [
              { $literal: (data as { message: Record<string, unknown> }).message },
              { campaign_id: { $ifNull: ['$campaignId', null] }, enrollment_id: { $ifNull: ['$enrollmentId', null] }, campaign_step: { $ifNull: ['$campaignStep', null] } },
            ],
          },
        },
      },
    ],
  });
  return [
    {
      $set: {
        ...Object.fromEntries(Object.entries(set).map(([k, v]) => [k, { $literal: v }])),
        // $addToSet's meaning: the entry once, whatever else the history holds.
        statusHistory: { $cond: [{ $in: [{ $literal: entry }, history] }, history, { $concatArrays: [history, [{ $literal: entry }]] }] },
        [OUTBOX_FIELD]: { $concatArrays: [{ $ifNull: [`$${OUTBOX_FIELD}`, []] }, events.map(withCampaign)] },
        [OUTBOX_AT_FIELD]: { $min: [`$${OUTBOX_AT_FIELD}`, { $literal: events[0]!.occurred_at }] },
      },
    },
  ];
}

const DELIVERY_EVENTS: Partial<Record<string, EventType>> = { sent: 'message.sent', delivered: 'message.delivered', read: 'message.read', failed: 'message.failed' };
const MESSAGE_EVENTS: EventType[] = ['conversation.message.received', 'conversation.message.sent', 'ticket.message.added', 'message.sent', 'message.delivered', 'message.read', 'message.failed'];
const INBOUND_EVENTS: EventType[] = [...MESSAGE_EVENTS, 'conversation.started'];

/** The conversation an inbound message belongs to (./conversation-tracker.ts). */
export interface MessageConversation {
  id: string;
  /** Whether this message opened it: its document then records `conversation.started` and, later, the end. */
  opened: boolean;
  startedAt: Date;
}

/** A conversation ending, recorded on its first message's document. */
export interface ConversationEnd {
  /** The wamid of the conversation's first message. */
  first: string;
  id: string;
  phoneNumberId: string;
  waId: string;
  startedAt: Date;
  lastMessageAt: Date;
  reason: string;
  at: Date;
}

/** A conversation as its events carry it (src/platform/events/catalog.ts, `EventConversation`). */
function conversationSnapshot(c: { id: string; waId: string; phoneNumberId: string; startedAt: Date; endedAt?: Date }): Record<string, unknown> {
  return { id: c.id, user_phone: c.waId, phone_number_id: c.phoneNumberId, started_at: c.startedAt.toISOString(), ended_at: c.endedAt?.toISOString() ?? null };
}

/** What the log needs to record message events: the recorder, and which organization owns a number. */
export interface MessageEventDeps {
  events: EventRecorder;
  orgForNumber(phoneNumberId: string): Promise<string>;
}

export function createConversationLog(model: MessageModel, eventDeps: MessageEventDeps = { events: noEvents, orgForNumber: async () => 'default' }) {
  const writer = createBulkWriter(model.collection);
  const { events } = eventDeps;
  const collection = model.collection.collectionName;

  /** The wanted events among `candidates` about one message of a number's conversation (a candidate may name another resource). */
  async function messageEvents(
    phoneNumberId: string,
    resourceId: string,
    candidates: { type: EventType; data: Record<string, unknown>; resource?: EventResource }[],
    at: Date,
    types: EventType[] = MESSAGE_EVENTS,
  ): Promise<PuenteEvent[]> {
    if (candidates.length === 0) return [];
    const orgId = await eventDeps.orgForNumber(phoneNumberId);
    const wanted = await events.wanted(orgId, types);
    return candidates.filter((c) => wanted.has(c.type)).map((c) => newEvent(c.type, orgId, c.resource ?? { type: 'message', id: resourceId }, c.data, at));
  }

  async function insertOnce(filter: Record<string, string>, message: NewMessage, status: LogStatus, at: Date, recorded: PuenteEvent[] = [], extra: Record<string, unknown> = {}): Promise<void> {
    const now = new Date();
    await writer.write({
      updateOne: {
        filter,
        update: { $setOnInsert: { ...defined(message), ...extra, status, statusRank: statusRank[status], statusHistory: [{ status, at }], createdAt: now, updatedAt: now, ...outboxFields(recorded) } },
        upsert: true,
      },
    });
    if (recorded.length) events.flush(collection, filter);
  }

  /** Moves an outbound message forward to `status` unless it is already there or further. */
  async function advance(outboundId: string, status: 'accepted' | 'failed', set: Partial<LoggedMessage>, at: Date, recorded: PuenteEvent[] = []): Promise<void> {
    const update: mongo.Document = { $set: { ...set, status, statusRank: statusRank[status], updatedAt: new Date() }, $push: { statusHistory: { status, at } } };
    if (recorded.length) {
      const outbox = outboxUpdate(recorded);
      update.$push = { ...update.$push, ...outbox.$push };
      update.$min = outbox.$min;
    }
    await writer.write({ updateOne: { filter: { outboundId, statusRank: { $lt: statusRank[status] } }, update } });
    if (recorded.length) events.flush(collection, { outboundId });
  }

  return {
    model,

    /**
     * Records a message the user sent. When it opened a conversation (`conversation.opened`), its
     * document is that conversation's record: `conversationId` and `conversation.started` are
     * written with the insert (once, however often the message is processed).
     */
    async logInbound(message: NewMessage & { wamid: string }, conversation?: MessageConversation): Promise<void> {
      const snapshot = messageEventSnapshot(message);
      const opened = conversation?.opened ? conversation : undefined;
      const recorded = await messageEvents(
        message.phoneNumberId,
        message.wamid,
        [
          // Before the message's own events: the conversation starts, then its first message arrives.
          ...(opened
            ? [{ type: 'conversation.started' as const, resource: { type: 'conversation' as const, id: opened.id }, data: { conversation: conversationSnapshot({ ...opened, waId: message.waId, phoneNumberId: message.phoneNumberId }) } }]
            : []),
          { type: 'conversation.message.received', data: { message: snapshot } },
          ...(message.ticketId ? [{ type: 'ticket.message.added' as const, data: { ticket_id: message.ticketId, message: snapshot } }] : []),
        ],
        message.at,
        opened ? INBOUND_EVENTS : MESSAGE_EVENTS,
      );
      await insertOnce({ wamid: message.wamid }, message, 'received', message.at, recorded, opened ? { conversationId: opened.id, conversationStartedAt: opened.startedAt } : {});
    },

    /**
     * Records the end of a conversation on its first message's document: `conversationEndedAt`
     * and `conversation.ended`, by an update that matches only while the conversation has not
     * ended, so it is recorded once however often it is asked. Nothing is written when no
     * subscription of the number's organization wants the event.
     */
    async endConversation(end: ConversationEnd): Promise<void> {
      const orgId = await eventDeps.orgForNumber(end.phoneNumberId);
      if ((await events.wanted(orgId, ['conversation.ended'])).size === 0) return;
      const data = {
        conversation: conversationSnapshot({ id: end.id, waId: end.waId, phoneNumberId: end.phoneNumberId, startedAt: end.startedAt, endedAt: end.at }),
        reason: end.reason,
        last_message_at: end.lastMessageAt.toISOString(),
      };
      const outbox = outboxUpdate([newEvent('conversation.ended', orgId, { type: 'conversation', id: end.id }, data, end.at)]);
      const result = await model.collection.updateOne(
        { wamid: end.first, conversationId: end.id, conversationEndedAt: { $exists: false } },
        { $set: { conversationEndedAt: end.at, conversationEndReason: end.reason, updatedAt: new Date() }, $push: outbox.$push, $min: outbox.$min } as mongo.Document,
      );
      if (result.modifiedCount > 0) events.flush(collection, { wamid: end.first });
    },

    /** Records a message we are about to send, before Graph has given it a wamid. */
    async logQueued(message: NewMessage & { outboundId: string }): Promise<void> {
      // An agent's message joins the ticket's history when it is queued (its wamid comes later).
      const recorded = message.ticketId ? await messageEvents(message.phoneNumberId, message.outboundId, [{ type: 'ticket.message.added', data: { ticket_id: message.ticketId, message: messageEventSnapshot(message) } }], message.at) : [];
      await insertOnce({ outboundId: message.outboundId }, message, 'queued', message.at, recorded);
    },

    /** Files a logged user message under a ticket it was not known to belong to when logged. */
    async linkToTicket(wamid: string, ticketId: string): Promise<void> {
      await writer.write({ updateOne: { filter: { wamid }, update: { $set: { ticketId, updatedAt: new Date() } } } });
    },

    /** Graph accepted the send: attach the wamid. */
    async markAccepted(outboundId: string, wamid: string, at = new Date(), phoneNumberId?: string): Promise<void> {
      let recorded: PuenteEvent[] = [];
      // The message is read only when its organization wants to hear it was sent (its fields are immutable once queued).
      const wanted = phoneNumberId ? (await events.wanted(await eventDeps.orgForNumber(phoneNumberId), ['conversation.message.sent'])).size > 0 : false;
      const sent = wanted ? await model.collection.findOne({ outboundId }, { projection: { direction: 1, author: 1, type: 1, text: 1, waId: 1, phoneNumberId: 1, ticketId: 1, at: 1 } }) : null;
      if (sent) recorded = await messageEvents(String(sent.phoneNumberId), wamid, [{ type: 'conversation.message.sent', data: { message: messageEventSnapshot({ ...(sent as unknown as LoggedMessage), wamid }) } }], at);
      await advance(outboundId, 'accepted', { wamid }, at, recorded);
    },

    /** The send will never happen or was refused for good. */
    async markFailed(outboundId: string, error: LoggedError, at = new Date()): Promise<void> {
      await advance(outboundId, 'failed', { error: defined(error) }, at);
    },

    /**
     * Applies a status webhook. The status only moves forward (sent < delivered < read; `failed` is
     * terminal), whatever order Meta's webhooks arrive in; every distinct report lands in the history.
     * @throws {MessageNotLoggedError} when the wamid is unknown, so the caller retries later.
     */
    async applyStatus(update: { wamid: string; status: string; at: Date; error?: LoggedError; recipient?: string; phoneNumberId?: string }): Promise<void> {
      const rank = (statusRank as Record<string, number>)[update.status];
      const entry = { status: update.status, at: update.at };
      const type = DELIVERY_EVENTS[update.status];
      const recorded =
        type && update.phoneNumberId
          ? await messageEvents(
              update.phoneNumberId,
              update.wamid,
              // campaign_id, enrollment_id, campaign_step: filled in by the write from the document itself (statusWithEvents).
              [
                {
                  type,
                  data: {
                    message: {
                      id: update.wamid,
                      recipient: update.recipient ?? null,
                      phone_number_id: update.phoneNumberId,
                      status: update.status,
                      error: update.error ? { code: update.error.code, title: update.error.title ?? null } : null,
                      campaign_id: null,
                      enrollment_id: null,
                      campaign_step: null,
                      at: update.at.toISOString(),
                    },
                  },
                },
              ],
              update.at,
            )
          : [];
      const set = { status: update.status, statusRank: rank, updatedAt: new Date(), ...(update.error ? { error: update.error } : {}) };
      const advanced =
        rank === undefined
          ? { matchedCount: 0 }
          : await model.collection.updateOne(
              { wamid: update.wamid, statusRank: { $lt: rank } },
              recorded.length ? statusWithEvents(set, entry, recorded) : ({ $set: set, $addToSet: { statusHistory: entry } } as mongo.Document),
            );
      if (advanced.matchedCount > 0) {
        if (recorded.length) events.flush(collection, { wamid: update.wamid });
        return;
      }
      const kept = await model.updateOne({ wamid: update.wamid }, { $addToSet: { statusHistory: entry } });
      if (kept.matchedCount === 0) throw new MessageNotLoggedError(update.wamid);
    },

    /**
     * What one WhatsApp user and Puente said to each other since `since`, newest first and at most
     * `limit` messages, on every business number (the caller keeps its organization's): the input of
     * the lead scores. `ever` tells whether the user has written to any number at all.
     */
    async activityOf(waId: string, since: Date, limit: number): Promise<{ ever: boolean; messages: ActivityMessage[] }> {
      const projection = { _id: 0, phoneNumberId: 1, direction: 1, type: 1, text: 1, wamid: 1, status: 1, at: 1 };
      const messages = await model.find({ waId, at: { $gte: since } }, projection).sort({ at: -1 }).limit(limit).lean<ActivityMessage[]>();
      if (messages.some((m) => m.direction === 'inbound')) return { ever: true, messages };
      const earlier = await model.findOne({ waId, direction: 'inbound' }, { _id: 1 }).lean();
      return { ever: earlier !== null, messages };
    },
  };
}

export type ConversationLog = ReturnType<typeof createConversationLog>;
