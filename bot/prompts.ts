import type { BotMessage } from './effects.js';
import { firstName, formatCop } from './format-es.js';
import type { Prompt } from './machine-parts.js';
import { clip, META_LIMITS } from './message-limits.js';
import { es } from './messages.es.js';
import { findPlan } from './plans.js';
import { encodeReplyId, MAIN_OPTIONS, type MenuName } from './reply-ids.js';
import { SUPPORT_TOPICS } from './snapshot.js';


/** Notes first, then the prompt's own text; clipped as a last guard for data-driven content. */
function body(notes: readonly string[], ...parts: string[]): string {
  return clip([...notes, ...parts].filter((p) => p !== '').join('\n\n'), META_LIMITS.interactiveBody);
}

function mainMenu(text: string): BotMessage {
  return {
    kind: 'list',
    body: text,
    button: es.menu.button,
    footer: es.menu.footer,
    sections: [{
      title: es.menu.section,
      rows: MAIN_OPTIONS.map((option) => ({ id: encodeReplyId('menu', option), ...es.menu.options[option] })),
    }],
  };
}

/** A qualification question: its text and two buttons, `v1:<menu>.yes` (Sí) and `v1:<menu>.no` (No). */
function yesNo(menu: Extract<MenuName, 'budget' | 'timeline' | 'decider'>, text: string): BotMessage {
  return {
    kind: 'buttons',
    body: text,
    buttons: [
      { id: encodeReplyId(menu, 'yes'), title: es.plans.yes },
      { id: encodeReplyId(menu, 'no'), title: es.plans.no },
    ],
  };
}

/**
 * The prompt of each state. Every id they render is built with the reply-id codec, so a tap is
 * traced back to the menu it came from (checked by test/bot/machine-lint.test.ts).
 */
export const prompts = {
  /** First contact: greeting with the best name we have, then the menu (one message). */
  greetingMenu: (s, c, notes) =>
    mainMenu(body(notes, es.greeting(firstName(s.customer?.customerName ?? c.profileName)), es.menu.firstQuestion)),

  mainMenu: (_s, _c, notes) => mainMenu(body(notes, es.menu.question)),

  /** Asking for the document; the full explanation only the first time, and the phone for option 3. */
  authDocument: (s, c, notes) => {
    const forAgent = s.pendingOption === 'agent';
    const intro = notes.length > 0 ? [] : [forAgent ? es.auth.introForAgent : es.auth.intro];
    const ask = forAgent ? `${es.auth.ask} ${es.auth.orCall(c.emergencyPhone)}` : es.auth.ask;
    return { kind: 'text', body: [...notes, ...intro, ask].join('\n\n') };
  },

  supportTopic: (_s, _c, notes) => ({
    kind: 'buttons',
    body: body(notes, es.support.question),
    buttons: SUPPORT_TOPICS.map((topic) => ({ id: encodeReplyId('support', topic), title: es.support.topics[topic] })),
  }),

  supportConfirm: (s, _c, notes) => ({
    kind: 'buttons',
    body: body(notes, es.support.steps[s.supportTopic ?? 'other'], es.support.solvedQuestion),
    buttons: [
      { id: encodeReplyId('confirm', 'yes'), title: es.support.yes },
      { id: encodeReplyId('confirm', 'no'), title: es.support.no },
    ],
  }),

  plansList: (_s, c, notes) => ({
    kind: 'list',
    body: body(
      notes,
      [es.plans.intro, ...c.plans.plans.map((p) => es.plans.line(p.name, formatCop(p.monthlyPriceCop)))].join('\n'),
      es.plans.question,
    ),
    button: es.plans.button,
    sections: [{
      title: es.plans.section,
      rows: c.plans.plans.map((p) => ({ id: encodeReplyId('plan', p.id), title: p.name, description: p.description })),
    }],
  }),

  askName: (s, c, notes) => ({
    kind: 'text',
    body: notes.length > 0 ? body(notes, es.plans.nameQuestion) : es.plans.askName(findPlan(c.plans, s.planId)?.name ?? ''),
  }),

  askBudget: (s, c, notes) => yesNo('budget', body(notes, es.plans.budgetQuestion(findPlan(c.plans, s.planId)?.name))),
  askTimeline: (_s, _c, notes) => yesNo('timeline', body(notes, es.plans.timelineQuestion)),
  askDecider: (_s, _c, notes) => yesNo('decider', body(notes, es.plans.deciderQuestion)),

  /** After the hints ran out: the menu, a person, and the phone, so nobody is ever stuck. */
  offerHelp: (_s, c, notes) => ({
    kind: 'buttons',
    body: body(notes, es.general.offerHelp(c.emergencyPhone)),
    buttons: [
      { id: encodeReplyId('nav', 'menu'), title: es.general.offerMenu },
      { id: encodeReplyId('menu', 'agent'), title: es.general.offerAgent },
    ],
  }),
} satisfies Record<string, Prompt>;
