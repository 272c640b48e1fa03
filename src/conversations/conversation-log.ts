import type { MessageModel, LoggedError, LoggedMessage } from './message-log.js';
import { statusRank, type LogStatus } from './message-log.js';

/** Raised when a status arrives for a message we have not logged yet (its send is still finishing). */
export class MessageNotLoggedError extends Error {
  constructor(readonly wamid: string) {
    super(`no logged message with wamid ${wamid} yet`);
    this.name = 'MessageNotLoggedError';
  }
}

type NewMessage = Omit<LoggedMessage, 'status' | 'statusRank' | 'statusHistory' | 'createdAt' | 'updatedAt'>;

/**
 * Writes to the conversation log. Every write is idempotent (keyed by wamid or our outbound id),
 * because lanes deliver items at least once.
 */
export function createConversationLog(model: MessageModel) {
  async function insertOnce(filter: Record<string, string>, message: NewMessage, status: LogStatus, at: Date): Promise<void> {
    await model.updateOne(
      filter,
      { $setOnInsert: { ...message, status, statusRank: statusRank[status], statusHistory: [{ status, at }] } },
      { upsert: true },
    );
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

    /** Graph accepted the send: attach the wamid. */
    async markAccepted(outboundId: string, wamid: string, at = new Date()): Promise<void> {
      await model.updateOne(
        { outboundId, statusRank: { $lt: statusRank.accepted } },
        { $set: { wamid, status: 'accepted', statusRank: statusRank.accepted }, $push: { statusHistory: { status: 'accepted', at } } },
      );
    },

    /** The send will never happen or was refused for good. */
    async markFailed(outboundId: string, error: LoggedError, at = new Date()): Promise<void> {
      await model.updateOne(
        { outboundId, statusRank: { $lt: statusRank.failed } },
        { $set: { status: 'failed', statusRank: statusRank.failed, error }, $push: { statusHistory: { status: 'failed', at } } },
      );
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
  };
}

export type ConversationLog = ReturnType<typeof createConversationLog>;
