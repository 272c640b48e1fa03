import type { Effect } from './effects.js';
import type { BotEvent, InputView } from './events.js';
import type { StepContext } from './machine-parts.js';
import type { MachineConfig, Transition } from './machine-types.js';
import type { PlansCatalog } from './plans.js';
import type { Snapshot } from './snapshot.js';
import type { StateName } from './states.js';


export interface StepResult {
  snapshot: Snapshot;
  /** In order: what the actions asked for, then the message with the note and the prompt. */
  effects: Effect[];
}

/** The transition `event` takes in the snapshot's state, if any (state's own `on` first). */
export function findTransition(machine: MachineConfig, snapshot: Snapshot, event: BotEvent, context: StepContext): Transition | undefined {
  const state = machine.states[snapshot.state];
  const candidates = state.on[event.type] ?? (state.silent ? undefined : machine.anyState[event.type]);
  return candidates?.find((t) => t.guard === undefined || machine.guards[t.guard](snapshot, event, context));
}

/**
 * Applies one event to a snapshot: pure, no I/O, same input → same output. An event the state
 * does not handle changes nothing and says nothing. `strikes` (inputs not understood in a row)
 * go back to 0 on every transition whose actions do not set them.
 */
export function step(machine: MachineConfig, snapshot: Snapshot, event: BotEvent, context: StepContext): StepResult {
  const transition = findTransition(machine, snapshot, event, context);
  if (!transition) return { snapshot, effects: [] };

  let next: Snapshot = { ...snapshot, state: transition.target ?? snapshot.state };
  let strikesSet = false;
  const effects: Effect[] = [];
  for (const name of transition.do ?? []) {
    const result = machine.actions[name](next, event, context);
    if (result.set) {
      strikesSet ||= 'strikes' in result.set;
      next = { ...next, ...result.set };
    }
    effects.push(...(result.effects ?? []));
  }
  if (!strikesSet) next.strikes = 0;

  const notes = transition.note ? [machine.notes[transition.note](next, event, context)].filter((n) => n !== '') : [];
  const promptName = transition.prompt ?? machine.states[next.state].prompt;
  if (promptName !== undefined && promptName !== 'none') {
    effects.push({ type: 'send', message: machine.prompts[promptName](next, context, notes) });
  } else {
    for (const body of notes) effects.push({ type: 'send', message: { kind: 'text', body } });
  }
  return { snapshot: dropUndefined(next), effects };
}

/** Keeps the snapshot plain JSON: cleared fields disappear instead of lingering as `undefined`. */
function dropUndefined(snapshot: Snapshot): Snapshot {
  return Object.fromEntries(Object.entries(snapshot).filter(([, v]) => v !== undefined)) as Snapshot;
}

/** How input is read in `state`: the menu its prompt shows and the text it expects. */
export function inputViewOf(machine: MachineConfig, state: StateName, plans: PlansCatalog): InputView {
  const { menu, expects } = machine.states[state];
  return { planIds: plans.plans.map((p) => p.id), ...(menu && { menu }), ...(expects && { expects }) };
}
