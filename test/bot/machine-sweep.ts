/** Runs the real machine over every state × snapshot variant × sample event, once per test file. */
import type { BotMessage } from '../../bot/effects.js';
import { botMachine } from '../../bot/machine.js';
import { AUTH_OPTIONS, SUPPORT_TOPICS, type Snapshot } from '../../bot/snapshot.js';
import { STATE_NAMES, type StateName } from '../../bot/states.js';
import { step } from '../../bot/step.js';
import { NAME_MAX_LENGTH } from '../../bot/text-input.js';
import { activeCustomer, authenticated, context, longCustomer, plans, sampleEvents, sentMessages, snapshot } from './bot-fixtures.js';

/** The longest name a lead can have (NAME_MAX_LENGTH), to check Meta's limits. */
const LONGEST_LEAD_NAME = 'María Fernanda de los Ángeles Gutiérrez Montenegro Castañeda'.padEnd(NAME_MAX_LENGTH, 'a');
/** The plan with the longest name, so the budget question is as long as it gets. */
const longestPlan = [...plans.plans].sort((a, b) => b.name.length - a.name.length)[0]!;

/** Snapshots that cover every branch the guards and prompts look at. */
export function snapshotsIn(state: StateName): Snapshot[] {
  const variants: Snapshot[] = [];
  for (const base of [snapshot(), authenticated(activeCustomer), authenticated(longCustomer)]) {
    for (const strikes of [0, 2]) {
      for (const pendingOption of AUTH_OPTIONS) {
        for (const supportTopic of SUPPORT_TOPICS) {
          // Half with a lead under way (name and some answers), half without.
          const lead = supportTopic === 'slow' ? {} : { leadName: LONGEST_LEAD_NAME, qualification: supportTopic === 'other' ? { budget_confirmed: true, timeline_defined: false } : {} };
          variants.push({ ...base, state, strikes, pendingOption, supportTopic, planId: longestPlan.id, ...lead });
        }
      }
    }
  }
  return variants;
}

export interface SweepResult {
  label: string;
  after: Snapshot;
  messages: BotMessage[];
}

let cached: SweepResult[] | undefined;

/** Every (snapshot, event, context) the machine can meet, with the messages it sends. */
export function sweepMachine(): SweepResult[] {
  if (cached) return cached;
  cached = [];
  const contexts = [context({ profileName: 'Bartolomé Hipólito Santamaría' }), context({ authLockedUntil: '2025-06-06T15:40:00.000Z' })];
  for (const state of STATE_NAMES) {
    for (const from of snapshotsIn(state)) {
      for (const event of sampleEvents()) {
        for (const ctx of contexts) {
          const { snapshot: after, effects } = step(botMachine, from, event, ctx);
          const label = `${state} + ${event.type} (${from.authenticated ? 'auth' : 'anon'}, strikes ${from.strikes})`;
          cached.push({ label, after, messages: sentMessages(effects) });
        }
      }
    }
  }
  return cached;
}
