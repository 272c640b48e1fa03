import type { actions, guards, notes } from './actions.js';
import type { BotMessage, Effect } from './effects.js';
import type { BotEvent, BotEventType } from './events.js';
import type { PlansCatalog } from './plans.js';
import type { prompts } from './prompts.js';
import type { MenuName } from './reply-ids.js';
import type { Snapshot } from './snapshot.js';
import type { StateName } from './states.js';

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

export type GuardName = keyof typeof guards;
export type ActionName = keyof typeof actions;
export type NoteName = keyof typeof notes;
export type PromptName = keyof typeof prompts;

/**
 * One guarded transition. The first transition of an event whose guard passes (or that has none)
 * is taken: its actions run in order, then the note (if any) and the target's prompt are sent.
 */
export interface Transition {
  guard?: GuardName;
  /** Omitted: stay in the current state (a re-prompt). */
  target?: StateName;
  do?: readonly ActionName[];
  note?: NoteName;
  /** Replaces the target state's prompt; `'none'` sends no prompt (notes then go out as text). */
  prompt?: PromptName | 'none';
}

export type TransitionMap = { readonly [T in BotEventType]?: readonly Transition[] };

export interface StateConfig {
  /** Shown when the state is entered or re-prompted. */
  prompt?: PromptName;
  /** The menu the prompt offers: taps on it (and its typed numbers/words) are accepted. */
  menu?: MenuName;
  /** Free text the state is waiting for. */
  expects?: 'document' | 'name';
  /** When true, events the state does not list are ignored instead of using `anyState`. */
  silent?: boolean;
  on: TransitionMap;
}

/** The whole conversation: data only, interpreted by `step`. */
export interface MachineConfig {
  version: number;
  initial: StateName;
  /** Transitions every state inherits (a state's own `on` wins). */
  anyState: TransitionMap;
  states: { readonly [S in StateName]: StateConfig };
  guards: Readonly<Record<GuardName, Guard>>;
  actions: Readonly<Record<ActionName, Action>>;
  notes: Readonly<Record<NoteName, Note>>;
  prompts: Readonly<Record<PromptName, Prompt>>;
}
