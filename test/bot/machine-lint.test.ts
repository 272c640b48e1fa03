import { describe, expect, it } from 'vitest';
import { classifyInput } from '../../bot/events.js';
import { botMachine } from '../../bot/machine.js';
import type { MachineConfig, Transition, TransitionMap } from '../../bot/machine-types.js';
import { findLimitViolations } from '../../bot/message-limits.js';
import { STATE_NAMES, type StateName } from '../../bot/states.js';
import { findTransition, inputViewOf, step } from '../../bot/step.js';
import { context, plans, replyIds, sampleEvents, sentMessages } from './bot-fixtures.js';
import { snapshotsIn, sweepMachine } from './machine-sweep.js';

const machine: MachineConfig = botMachine;

/** The transitions a state really has: its own, plus `anyState` unless it is silent. */
function effectiveTransitions(state: StateName): TransitionMap {
  const config = machine.states[state];
  return config.silent ? config.on : { ...machine.anyState, ...config.on };
}

function allTransitions(): Array<{ from: StateName; event: string; transition: Transition }> {
  return STATE_NAMES.flatMap((from) =>
    Object.entries(effectiveTransitions(from)).flatMap(([event, list]) => (list ?? []).map((transition) => ({ from, event, transition }))),
  );
}

describe('machine lint', () => {
  it('makes a typo in a target, guard, action, note or prompt name a type error (checked by tsc)', () => {
    // Each line below must fail to compile; tsc reports an unused @ts-expect-error otherwise.
    // @ts-expect-error — no such state
    const target: Transition = { target: 'main_menus' };
    // @ts-expect-error — no such guard
    const guard: Transition = { guard: 'isAuthenticated' };
    // @ts-expect-error — no such action
    const action: Transition = { do: ['handover'] };
    // @ts-expect-error — no such note
    const note: Transition = { note: 'hint' };
    // @ts-expect-error — no such prompt
    const prompt: Transition = { prompt: 'menu' };
    expect([target, guard, action, note, prompt]).toHaveLength(5);
  });

  it('names only states, guards, actions, notes and prompts that exist', () => {
    for (const { from, event, transition } of allTransitions()) {
      const where = `${from} + ${event}`;
      if (transition.target) expect(STATE_NAMES, where).toContain(transition.target);
      if (transition.guard) expect(machine.guards, where).toHaveProperty(transition.guard);
      for (const action of transition.do ?? []) expect(machine.actions, where).toHaveProperty(action);
      if (transition.note) expect(machine.notes, where).toHaveProperty(transition.note);
      if (transition.prompt && transition.prompt !== 'none') expect(machine.prompts, where).toHaveProperty(transition.prompt);
    }
    for (const state of STATE_NAMES) {
      const prompt = machine.states[state].prompt;
      if (prompt) expect(machine.prompts).toHaveProperty(prompt);
    }
  });

  it('reaches every state from the initial state', () => {
    const seen = new Set<StateName>([machine.initial]);
    const queue: StateName[] = [machine.initial];
    while (queue.length > 0) {
      const state = queue.shift()!;
      for (const list of Object.values(effectiveTransitions(state))) {
        for (const t of list ?? []) {
          if (t.target && !seen.has(t.target)) {
            seen.add(t.target);
            queue.push(t.target);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATE_NAMES].sort());
  });

  it('gives every state a way out (MENU or EXIT, and a transition to another state)', () => {
    for (const state of STATE_NAMES) {
      const transitions = effectiveTransitions(state);
      expect(transitions.MENU ?? transitions.EXIT, state).toBeDefined();
      const leaves = Object.values(transitions).some((list) => (list ?? []).some((t) => t.target && t.target !== state));
      expect(leaves, state).toBe(true);
    }
  });

  it('ends every guarded list with a transition that always applies, so input is never dropped', () => {
    for (const state of STATE_NAMES) {
      for (const [event, list] of Object.entries(effectiveTransitions(state))) {
        expect(list?.at(-1)?.guard, `${state} + ${event}`).toBeUndefined();
      }
    }
  });

  it('answers every input in every bot state except handover, where it is silent', () => {
    for (const state of STATE_NAMES) {
      for (const from of snapshotsIn(state).slice(0, 3)) {
        for (const event of sampleEvents().filter((e) => ['UNKNOWN', 'GREETING', 'MEDIA', 'STALE', 'MENU'].includes(e.type))) {
          const sends = sentMessages(step(machine, from, event, context()).effects);
          if (state === 'handover' && event.type !== 'MENU') expect(sends, `${state} + ${event.type}`).toEqual([]);
          else expect(sends.length, `${state} + ${event.type}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('renders only reply ids that decode to an event the showing state handles', () => {
    const checked = new Set<string>();
    for (const { label, after, messages } of sweepMachine()) {
      for (const id of messages.flatMap(replyIds)) {
        const key = `${after.state}|${after.authenticated}|${id}`;
        if (checked.has(key)) continue;
        checked.add(key);
        const event = classifyInput({ kind: 'reply', id }, inputViewOf(machine, after.state, plans));
        expect(event.type, `${label}: ${id} in ${after.state}`).not.toBe('STALE');
        if (event.type === 'DOCUMENT_ENTERED') throw new Error(`${id} decoded to a document`);
        expect(findTransition(machine, after, event, context()), `${label}: ${id} in ${after.state}`).toBeDefined();
      }
    }
    // Main menu, offer-help, support, confirm, plan and the three qualification questions' ids were all seen.
    expect([...checked].map((k) => k.split('|')[2]!.split('.')[0])).toEqual(
      expect.arrayContaining(['v1:menu', 'v1:nav', 'v1:support', 'v1:confirm', 'v1:plan', 'v1:budget', 'v1:timeline', 'v1:decider']),
    );
  });

  it('gives every state with buttons or a list its own menu, so a tap from another state is stale', () => {
    const menus = STATE_NAMES.flatMap((state) => machine.states[state].menu ?? []);
    expect(new Set(menus).size).toBe(menus.length);
  });

  it("keeps every message every state renders within Meta's limits (long names, real plans)", () => {
    const problems = sweepMachine().flatMap(({ label, messages }) =>
      messages.flatMap((m) => findLimitViolations(m).map((p) => `${label}: ${p}`)),
    );
    expect([...new Set(problems)]).toEqual([]);
  });
});
