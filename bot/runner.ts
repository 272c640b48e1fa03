import type { Logger } from '../src/platform/logging/logger.js';
import type { AuthLock } from './auth-lock.js';
import { checkDocument } from './check-document.js';
import type { CustomerLookup } from './customer-lookup.js';
import type { BotMessage, Effect } from './effects.js';
import { classifyInput, type BotEvent, type BotInput } from './events.js';
import { botMachine } from './machine.js';
import type { StepContext } from './machine-parts.js';
import type { MachineConfig } from './machine-types.js';
import type { PlansCatalog } from './plans.js';
import type { BotConversation, HandoverPort, LeadSink } from './ports.js';
import type { SessionStore } from './session-store.js';
import { initialSnapshot, sameSnapshot, type Snapshot } from './snapshot.js';
import { inputViewOf, step } from './step.js';

export interface BotDeps {
  /** Defaults to the real machine; tests may pass a variant. */
  machine?: MachineConfig;
  sessions: SessionStore;
  authLock: AuthLock;
  lookup: CustomerLookup;
  plans: PlansCatalog;
  emergencyPhone: string;
  handover: HandoverPort;
  leads: LeadSink;
  logger?: Logger;
  now?: () => Date;
}

/** The bot as the lane sees it: one call per event, answering with the messages to send, in order. */
export interface Bot {
  /**
   * A message from the user (already past the handover gate). When `deliver` is given, the
   * messages are handed to it before the session is saved, so a crash in between cannot leave a
   * saved session whose replies were never queued (a redelivered event is then skipped).
   */
  handle(conversation: BotConversation, input: BotInput, eventId: string, deliver?: Deliver): Promise<BotMessage[]>;
  /** The CRM gave the conversation back to the bot: tell the user and show the menu. */
  handoverEnded(conversation: BotConversation, eventId: string, deliver?: Deliver): Promise<BotMessage[]>;
}

/** Queues the bot's messages for sending (the lane's outbound step); `turn.ended` when the turn ended the session ("salir"). */
export type Deliver = (messages: BotMessage[], turn?: { ended: boolean }) => Promise<void>;

/**
 * The effect runner around the pure machine: reads the session, classifies the input, does the
 * CRM lookup when a document was typed, steps, carries out handover/lead effects through the
 * ports, stores the session and returns the sends. Run it inside the user's lane: it assumes no
 * other event of the same conversation is processed at the same time.
 *
 * Redelivery: the id of the last applied event is stored in the session, so the same event twice
 * in a row returns `[]`. That covers a crash after the session was written; a crash between
 * `handle` returning and the sends being enqueued is the lane's to make idempotent. Port effects
 * run before the session is written, so they are at-least-once (the bridge keeps one open ticket
 * per user; the lead sink merges repeats).
 */
export function createBot(deps: BotDeps): Bot {
  const machine = deps.machine ?? botMachine;
  const now = deps.now ?? (() => new Date());

  async function load(conversation: BotConversation, eventId: string) {
    // Both reads leave in one round trip; the lock is simply ignored for an authenticated session.
    const [previous, lock] = await Promise.all([deps.sessions.read(conversation.key), deps.authLock.isLocked(conversation.key)]);
    if (previous?.lastEventId === eventId) return undefined;
    const snapshot = previous ?? initialSnapshot(now());
    const lockedUntil = snapshot.authenticated ? undefined : lock;
    const context: StepContext = {
      now: now(),
      emergencyPhone: deps.emergencyPhone,
      plans: deps.plans,
      ...(lockedUntil && { authLockedUntil: lockedUntil }),
      ...(conversation.profileName && { profileName: conversation.profileName }),
    };
    return { previous, snapshot, context };
  }

  /** Carries out the effects in order; stops at the first port that fails and reports which. */
  async function runEffects(conversation: BotConversation, snapshot: Snapshot, effects: Effect[], context: StepContext) {
    const messages: BotMessage[] = [];
    let ended = false;
    for (const effect of effects) {
      try {
        switch (effect.type) {
          case 'send':
            messages.push(effect.message);
            break;
          case 'end_session':
            ended = true;
            break;
          case 'handover':
            await deps.handover.requestHandover({
              conversation,
              customer: effect.customer,
              category: effect.category,
              priority: effect.priority,
              reason: effect.reason,
              sessionStartedAt: snapshot.startedAt,
              requestedAt: context.now.toISOString(),
            });
            break;
          case 'save_lead':
            await deps.leads.saveLead({
              phone: conversation.waId,
              name: effect.name,
              plan: effect.plan,
              source: 'whatsapp',
              phoneNumberId: conversation.phoneNumberId,
              qualification: { ...effect.qualification },
            });
            break;
        }
      } catch (err) {
        deps.logger?.error({ err, effect: effect.type }, 'bot effect failed');
        const failed: BotEvent = { type: effect.type === 'handover' ? 'HANDOVER_FAILED' : 'LEAD_FAILED' };
        return { messages, ended, failed };
      }
    }
    return { messages, ended, failed: undefined };
  }

  async function apply(conversation: BotConversation, eventId: string, event: BotEvent, loaded: NonNullable<Awaited<ReturnType<typeof load>>>, deliver?: Deliver) {
    const { previous, snapshot, context } = loaded;
    let result = step(machine, snapshot, event, context);
    const run = await runEffects(conversation, result.snapshot, result.effects, context);
    const messages = run.messages;
    if (run.failed) {
      // The recovery transitions only send (apology + EMERGENCY_PHONE + menu).
      result = step(machine, result.snapshot, run.failed, context);
      messages.push(...result.effects.flatMap((e) => (e.type === 'send' ? [e.message] : [])));
    }
    await deliver?.(messages, { ended: run.ended });
    if (run.ended) {
      await deps.sessions.delete(conversation.key);
      return messages;
    }
    const changed = result.effects.length > 0 || !sameSnapshot(result.snapshot, snapshot);
    if (!changed && !previous) return messages; // e.g. a reaction as first contact: nothing to keep
    await deps.sessions.write(conversation.key, changed ? { ...result.snapshot, lastEventId: eventId } : result.snapshot, previous);
    return messages;
  }

  return {
    async handle(conversation, input, eventId, deliver) {
      const loaded = await load(conversation, eventId);
      if (!loaded) return [];
      const classified = classifyInput(input, inputViewOf(machine, loaded.snapshot.state, deps.plans));
      const event =
        classified.type === 'DOCUMENT_ENTERED'
          ? await checkDocument(deps, conversation, classified.document, loaded.context.authLockedUntil)
          : classified;
      return apply(conversation, eventId, event, loaded, deliver);
    },

    async handoverEnded(conversation, eventId, deliver) {
      const loaded = await load(conversation, eventId);
      return loaded ? apply(conversation, eventId, { type: 'HANDOVER_ENDED' }, loaded, deliver) : [];
    },
  };
}
