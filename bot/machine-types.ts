import type { actions, guards, notes } from './actions.js';
import type { BotEventType } from './events.js';
import type { Action, Guard, Note, Prompt } from './machine-parts.js';
import type { prompts } from './prompts.js';
import type { MenuName } from './reply-ids.js';
import type { StateName } from './states.js';

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
