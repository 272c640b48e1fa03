/**
 * The WhatsApp bot, read top to bottom like the issue. Data only: `step.ts` interprets it,
 * `actions.ts` and `prompts.ts` hold the named guards, actions, notes and prompts it refers to,
 * and `messages.es.ts` the copy. Target, guard, action, note and prompt names are string-literal
 * keys, so a typo is a type error.
 *
 * How one event is handled: the current state's `on[event]` (or, unless the state is `silent`,
 * `anyState[event]`) lists guarded transitions; the first whose guard passes is taken; its
 * actions run; then its note and the target state's prompt go out in one message. Inputs not
 * understood in a row are counted (`strikes`): two hints, then the menu and a person are offered.
 */
import { actions, guards, notes } from './actions.js';
import type { ActionName, MachineConfig, NoteName, Transition } from './machine-types.js';
import type { StateName } from './states.js';
import { prompts } from './prompts.js';
import { MACHINE_VERSION } from './version.js';

export { MACHINE_VERSION } from './version.js';
export { STATE_NAMES, type StateName } from './states.js';

/** Text the state does not understand: a hint with the prompt, twice; then offer menu and a person. */
function reprompt(hint: Transition['note']): readonly Transition[] {
  return [{ guard: 'canReprompt', do: ['countStrike'], note: hint }, { prompt: 'offerHelp' }];
}

/** Options 1–3: straight on when authenticated, refused while locked, else ask for the document. */
function needsAuth(whenAuthenticated: Transition): readonly Transition[] {
  return [
    { guard: 'authenticated', ...whenAuthenticated },
    { guard: 'authLocked', target: 'main_menu', note: 'authLocked' },
    { target: 'auth_document', do: ['rememberOption'] },
  ];
}

/**
 * A qualification answer (YES or NO): record it, save the lead with every answer so far, go on to
 * the next question. If the plan left the catalog meanwhile, show the plans again.
 */
function answer(record: ActionName, next: StateName, note?: NoteName): readonly Transition[] {
  return [
    { guard: 'leadReady', target: next, do: [record, 'saveLead'], ...(note && { note }) },
    { target: 'plans_pick', note: 'stale' },
  ];
}

export const botMachine = {
  version: MACHINE_VERSION,
  initial: 'idle',
  guards,
  actions,
  notes,
  prompts,

  anyState: {
    // Words anywhere and main-menu taps, from every state. Small talk ("hola", "gracias") also
    // gets the menu rather than "No te entendí".
    MENU: [{ target: 'main_menu' }],
    GREETING: [{ target: 'main_menu' }],
    EXIT: [{ target: 'idle', do: ['endSession'], note: 'goodbye' }],
    // 1 – Mi servicio y factura: the lookup's data, then the menu.
    ACCOUNT: needsAuth({ target: 'main_menu', note: 'accountSummary' }),
    // 2 – Soporte técnico.
    SUPPORT: needsAuth({ target: 'support_topic' }),
    // 3 – Hablar con un asesor (also "asesor"/"agente"/"humano"); unauthenticated users are asked
    // to authenticate first, with EMERGENCY_PHONE in the prompt (docs/crm-contract.md, "Tickets").
    AGENT: needsAuth({ target: 'handover', do: ['handOver'] }),
    // 4 – Planes y promociones: no authentication needed.
    PLANS: [{ target: 'plans_pick' }],
    // Images, audio, stickers, locations…: "solo puedo leer texto" and the current prompt, never silence.
    MEDIA: [{ note: 'mediaNotSupported' }],
    // A tap on a menu no longer on screen (or from an older version): short note, current prompt.
    STALE: [{ note: 'stale' }],
    UNKNOWN: reprompt('menuHint'),
    // Reactions: an acknowledgement, not a request; answering them would be noise.
    IGNORE: [{ prompt: 'none' }],
    // The CRM gave the conversation back: the bot has the user again and shows the main menu.
    HANDOVER_ENDED: [{ target: 'main_menu', note: 'handoverEnded' }],
    // A port failed after the step that asked for it: apologise, give the phone, back to the menu.
    HANDOVER_FAILED: [{ target: 'main_menu', note: 'handoverFailed' }],
    LEAD_FAILED: [{ target: 'main_menu', note: 'leadFailed' }],
  },

  states: {
    idle: {
      // First contact (or after "salir"): whatever arrives, greet and show the menu.
      on: {
        MENU: [{ target: 'main_menu', prompt: 'greetingMenu' }],
        GREETING: [{ target: 'main_menu', prompt: 'greetingMenu' }],
        UNKNOWN: [{ target: 'main_menu', prompt: 'greetingMenu' }],
        MEDIA: [{ target: 'main_menu', prompt: 'greetingMenu' }],
        STALE: [{ target: 'main_menu', prompt: 'greetingMenu' }],
      },
    },

    main_menu: {
      prompt: 'mainMenu',
      menu: 'menu',
      on: {},
    },

    auth_document: {
      prompt: 'authDocument',
      expects: 'document',
      on: {
        // Found: greet by name and continue to the option chosen before authenticating.
        DOCUMENT_FOUND: [
          { guard: 'pendingAccount', target: 'main_menu', do: ['authenticate', 'sayAuthOk'], note: 'accountSummary' },
          { guard: 'pendingSupport', target: 'support_topic', do: ['authenticate', 'sayAuthOk'] },
          { guard: 'pendingAgent', target: 'handover', do: ['authenticate', 'sayAuthOk', 'handOver'] },
          { target: 'main_menu', do: ['authenticate', 'sayAuthOk'] },
        ],
        DOCUMENT_NOT_FOUND: [{ note: 'authNotFound' }],
        // Third failure (or still locked): 15 minutes, EMERGENCY_PHONE, back to the menu.
        DOCUMENT_LOCKED: [{ target: 'main_menu', note: 'authLocked' }],
        // CRM timed out twice: say so, give EMERGENCY_PHONE, let them type the document again.
        LOOKUP_UNAVAILABLE: [{ note: 'authBusy' }],
        UNKNOWN: reprompt('authHint'),
      },
    },

    support_topic: {
      prompt: 'supportTopic',
      menu: 'support',
      on: {
        SUPPORT_TOPIC: [{ target: 'support_confirm', do: ['rememberTopic'] }],
        UNKNOWN: reprompt('supportHint'),
      },
    },

    support_confirm: {
      prompt: 'supportConfirm',
      menu: 'confirm',
      on: {
        YES: [{ target: 'main_menu', note: 'supportSolved' }],
        NO: [{ target: 'handover', do: ['handOver'] }],
        UNKNOWN: reprompt('confirmHint'),
      },
    },

    plans_pick: {
      prompt: 'plansList',
      menu: 'plan',
      on: {
        PLAN: [{ target: 'plans_name', do: ['rememberPlan'] }],
        UNKNOWN: reprompt('plansHint'),
      },
    },

    plans_name: {
      prompt: 'askName',
      expects: 'name',
      on: {
        // The lead is saved right away (no answers yet), so someone who stops here is still a lead.
        NAME: [
          { guard: 'planChosen', target: 'plans_budget', do: ['rememberName', 'saveLead'], note: 'leadQuestions' },
          { target: 'plans_pick', note: 'stale' },
        ],
        UNKNOWN: reprompt('nameHint'),
      },
    },

    // The qualification questions: Sí/No buttons (or typed), each answer saved with the lead. Each
    // question shows its own menu, so a button of an earlier question is stale here.
    plans_budget: {
      prompt: 'askBudget',
      menu: 'budget',
      on: {
        YES: answer('answerBudget', 'plans_timeline'),
        NO: answer('answerBudget', 'plans_timeline'),
        UNKNOWN: reprompt('answerHint'),
      },
    },

    plans_timeline: {
      prompt: 'askTimeline',
      menu: 'timeline',
      on: {
        YES: answer('answerTimeline', 'plans_decider'),
        NO: answer('answerTimeline', 'plans_decider'),
        UNKNOWN: reprompt('answerHint'),
      },
    },

    plans_decider: {
      prompt: 'askDecider',
      menu: 'decider',
      on: {
        // The last answer: thank them (an advisor will write) and back to the menu.
        YES: answer('answerDecider', 'main_menu', 'leadThanks'),
        NO: answer('answerDecider', 'main_menu', 'leadThanks'),
        UNKNOWN: reprompt('answerHint'),
      },
    },

    handover: {
      // A person has the conversation: the gate in front relays the user's messages to the CRM,
      // so anything that still reaches the bot gets silence — except the ways out.
      silent: true,
      on: {
        MENU: [{ target: 'main_menu' }],
        EXIT: [{ target: 'idle', do: ['endSession'], note: 'goodbye' }],
        HANDOVER_ENDED: [{ target: 'main_menu', note: 'handoverEnded' }],
        HANDOVER_FAILED: [{ target: 'main_menu', note: 'handoverFailed' }],
      },
    },
  },
} as const satisfies MachineConfig;

/** The machine type `step` accepts (tests may pass variants). */
export type BotMachine = MachineConfig;
