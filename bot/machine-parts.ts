import type { BotMessage, Effect } from './effects.js';
import type { BotEvent } from './events.js';
import type { PlansCatalog } from './plans.js';
import type { Snapshot } from './snapshot.js';

/*
 * The pieces a machine is made of: guards, actions, notes and prompts. Apart from machine-types.ts,
 * which derives the names a machine may use from the implementations (so a typo is a type error),
 * so that the implementations can use these types without an import cycle.
 */

/** Facts about the world at the moment of a step, gathered by the runner before calling it. */
export interface StepContext {
  now: Date;
  emergencyPhone: string;
  plans: PlansCatalog;
  /** ISO time the user's authentication lock ends, when it is locked (read before the step). */
  authLockedUntil?: string;
  /** WhatsApp profile name, used to greet someone the CRM has not identified yet. */
  profileName?: string;
}

/** A pure condition over the snapshot, the event (with I/O results attached) and the context. */
export type Guard = (snapshot: Snapshot, event: BotEvent, context: StepContext) => boolean;

/** What an action changes: snapshot fields and effects other than the state's prompt. */
export interface ActionResult {
  set?: Partial<Snapshot>;
  effects?: Effect[];
}

/** Receives the snapshot as updated by the transition's earlier actions. */
export type Action = (snapshot: Snapshot, event: BotEvent, context: StepContext) => ActionResult;

/** A line shown above the next prompt (receives the snapshot after the actions). */
export type Note = (snapshot: Snapshot, event: BotEvent, context: StepContext) => string;

/** Renders a state's prompt; `notes` go first in the message body. */
export type Prompt = (snapshot: Snapshot, context: StepContext, notes: readonly string[]) => BotMessage;
