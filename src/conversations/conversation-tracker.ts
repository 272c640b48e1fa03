/**
 * Conversations as integrators see them (`conversation.started`, `conversation.ended`;
 * docs/webhooks.md, "Conversations"): a conversation of a WhatsApp user with a business number
 * starts with the user's first message when none is open, and ends when the user leaves the bot
 * ("salir") or has written nothing for the idle period (`SESSION_TTL_SECONDS`, the bot session's
 * idle timeout) with no handover ticket open.
 *
 * What is open lives in Redis, so a message costs one script call and no MongoDB read: per lane a
 * hash (the first message's wamid and time, the last activity) and one sorted set of lanes by last
 * activity, which the idle sweep reads. The events are recorded in MongoDB with the change they
 * describe, on the conversation's first message in the log: `started` with that message's insert
 * (idempotent, so a redelivered item records it once), `ended` by a conditional update of the same
 * document (it matches once). Redis is only told after MongoDB has it, so a crash in between
 * repeats a step that then does nothing.
 *
 * An idle end runs in the user's conversation lane (the sweep pushes a `conversation_idle` item),
 * one at a time with the user's messages: a message that arrives first keeps the conversation
 * going; one that arrives after starts the next conversation.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { laneHandlers, type LaneHandlers, type LanePush } from '../../queues/lanes.js';
import type { Logger } from '../platform/logging/logger.js';
import { defineScript, reply } from '../platform/redis/script.js';
import type { ConversationLog } from './conversation-log.js';
import type { HandoverGate } from './ports.js';

/** Why a conversation ended (the `reason` of `conversation.ended`). */
export type ConversationEndReason = 'user_left' | 'idle';

/** The conversation a message belongs to. */
export interface OpenConversation {
  /** `conv_…`, derived from its first message's wamid. */
  id: string;
  /** The wamid of its first message (the log document that records its events). */
  first: string;
  /** Whether this message opened it. */
  opened: boolean;
  startedAt: Date;
}

/** The lane item the idle sweep pushes; its handler ends the conversation if it is still idle. */
export interface ConversationIdleItem {
  id: string;
  kind: 'conversation_idle';
  /** The last activity the sweep saw (ms). */
  since: number;
}

export const conversationIdOf = (firstWamid: string) => `conv_${createHash('sha256').update(firstWamid).digest('base64url').slice(0, 22)}`;

const script = <T>(file: string, parse: (raw: unknown) => T) => defineScript(new URL(file, import.meta.url), parse);
const touchScript = script('./conversation-touch.lua', (raw) => {
  const [opened, first, started] = reply.array(raw);
  return { opened: reply.integer(opened) === 1, first: reply.string(first), startedMs: Number(reply.string(started)) };
});
const closeScript = script('./conversation-close.lua', (raw) => reply.integer(raw) === 1);

/** Lanes the sweep hands over per batch, and batches per sweep. */
const SWEEP_BATCH = 500;
const SWEEP_BATCHES = 20;
/** The state outlives its idle period by a week (a sweep down that long forgets the conversation). */
const STATE_MARGIN_SECONDS = 7 * 86_400;

export function createConversationTracker(deps: {
  redis: Redis;
  keyPrefix: string;
  /** `SESSION_TTL_SECONDS`. */
  idleSeconds: number;
  log: ConversationLog;
  lanes: { push: LanePush<ConversationIdleItem> };
  logger: Logger;
  now?: () => number;
}) {
  const { redis } = deps;
  const now = deps.now ?? Date.now;
  const idleMs = deps.idleSeconds * 1000;
  const stateTtl = deps.idleSeconds + STATE_MARGIN_SECONDS;
  const stateKey = (lane: string) => `${deps.keyPrefix}:conv:${lane}`;
  const idleKey = `${deps.keyPrefix}:conv-idle`;

  /** Ends the lane's open conversation: the event in MongoDB first, then Redis forgets it. */
  async function end(lane: string, reason: ConversationEndReason): Promise<boolean> {
    const [first, started, phoneNumberId, waId, last] = await redis.hmget(stateKey(lane), 'w', 's', 'p', 'u', 'l');
    if (!first || !phoneNumberId || !waId) return false;
    const at = new Date(now());
    await deps.log.endConversation({ first, id: conversationIdOf(first), phoneNumberId, waId, startedAt: new Date(Number(started)), lastMessageAt: new Date(Number(last)), reason, at });
    return closeScript.run(redis, [stateKey(lane), idleKey], [lane, first]);
  }

  return {
    /** A user's message in its lane: the conversation it belongs to (opening one if none is open). */
    async touch(lane: string, message: { wamid: string; at: Date; phoneNumberId: string; waId: string }): Promise<OpenConversation> {
      const { opened, first, startedMs } = await touchScript.run(
        redis,
        [stateKey(lane), idleKey],
        [lane, message.wamid, message.at.getTime(), now(), stateTtl, message.phoneNumberId, message.waId],
      );
      return { id: conversationIdOf(first), first, opened, startedAt: new Date(startedMs) };
    },

    /** The user left ("salir"): ends the open conversation, if any. Idempotent. */
    userLeft: (lane: string) => end(lane, 'user_left'),

    /**
     * Hands every conversation idle past the period to its lane (a `conversation_idle` item,
     * deduplicated per last activity, so a sweep repeated before the lane got to it adds nothing).
     * Run every 30 s by the mailbox janitor's job; returns how many lanes it handed over.
     */
    async sweep(): Promise<number> {
      let handed = 0;
      for (let batch = 0; batch < SWEEP_BATCHES; batch++) {
        const due = await redis.zrangebyscore(idleKey, '-inf', now() - idleMs, 'WITHSCORES', 'LIMIT', handed, SWEEP_BATCH);
        const requests = [];
        for (let i = 0; i < due.length; i += 2) {
          const lane = due[i]!;
          const since = Number(due[i + 1]);
          const id = `conv-idle:${lane}:${since}`;
          requests.push({ lane, item: { id, kind: 'conversation_idle' as const, since }, dedupeKey: id, dedupeTtlSeconds: 86_400 });
        }
        if (requests.length > 0) await deps.lanes.push(requests);
        handed += requests.length;
        if (requests.length < SWEEP_BATCH) break;
      }
      return handed;
    },

    /** The `conversation_idle` lane item: ends the conversation if still idle and no ticket is open. */
    laneHandlers(gate: Pick<HandoverGate, 'findOpen'>): LaneHandlers {
      return laneHandlers<ConversationIdleItem>({
        conversation_idle: async (_item, ctx) => {
          const lane = ctx.lane;
          const last = Number(await redis.hget(stateKey(lane), 'l'));
          if (!last) {
            await redis.zrem(idleKey, lane); // nothing open (ended meanwhile, or its state lapsed)
            return;
          }
          if (now() - last < idleMs) return; // the user wrote since the sweep looked
          if (await gate.findOpen(lane)) {
            // A person has the conversation: look again after another idle period.
            await redis.multi().zadd(idleKey, 'XX', now(), lane).expire(stateKey(lane), stateTtl).exec();
            return;
          }
          await end(lane, 'idle');
        },
      });
    },
  };
}

export type ConversationTracker = ReturnType<typeof createConversationTracker>;
