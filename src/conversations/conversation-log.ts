import type { mongo } from 'mongoose';
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
export function createConversationLog(model: MessageModel) {
  const writer = createBulkWriter(model.collection);

  async function insertOnce(filter: Record<string, string>, message: NewMessage, status: LogStatus, at: Date): Promise<void> {
    const now = new Date();
    await writer.write({
      updateOne: {
        filter,
        update: { $setOnInsert: { ...defined(message), status, statusRank: statusRank[status], statusHistory: [{ status, at }], createdAt: now, updatedAt: now } },
        upsert: true,
      },
    });
  }

  /** Moves an outbound message forward to `status` unless it is already there or further. */
  async function advance(outboundId: string, status: 'accepted' | 'failed', set: Partial<LoggedMessage>, at: Date): Promise<void> {
    const update: mongo.Document = { $set: { ...set, status, statusRank: statusRank[status], updatedAt: new Date() }, $push: { statusHistory: { status, at } } };
    await writer.write({ updateOne: { filter: { outboundId, statusRank: { $lt: statusRank[status] } }, update } });
  }

  return {
    model,

    /** Records a message the user sent. */
    async logInbound(message: NewMessage & { wamid: string }): Promise<void> {
      await insertOnce({ wamid: message.wamid }, message, 'received', message.at);
    },

    /** Records a message we are about to send, before Graph has given it a wamid. */
    async logQueued(message: NewMessage & { outboundId: string }): Promise<void> {
      await insertOnce({ outboundId: message.outboundId }, message, 'queued', message.at);
    },

    /** Files a logged user message under a ticket it was not known to belong to when logged. */
    async linkToTicket(wamid: string, ticketId: string): Promise<void> {
      await writer.write({ updateOne: { filter: { wamid }, update: { $set: { ticketId, updatedAt: new Date() } } } });
    },

    /** Graph accepted the send: attach the wamid. */
    async markAccepted(outboundId: string, wamid: string, at = new Date()): Promise<void> {
      await advance(outboundId, 'accepted', { wamid }, at);
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
    async applyStatus(update: { wamid: string; status: string; at: Date; error?: LoggedError }): Promise<void> {
      const rank = (statusRank as Record<string, number>)[update.status];
      const entry = { status: update.status, at: update.at };
      const advanced =
        rank === undefined
          ? { matchedCount: 0 }
          : await model.updateOne(
              { wamid: update.wamid, statusRank: { $lt: rank } },
              {
                $set: { status: update.status, statusRank: rank, ...(update.error ? { error: update.error } : {}) },
                $addToSet: { statusHistory: entry },
              },
            );
      if (advanced.matchedCount > 0) return;
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
