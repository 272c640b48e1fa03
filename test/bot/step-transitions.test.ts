import { describe, expect, it } from 'vitest';
import { classifyInput, type BotEvent, type BotInput } from '../../bot/events.js';
import { botMachine } from '../../bot/machine.js';
import type { StepContext } from '../../bot/machine-parts.js';
import { es } from '../../bot/messages.es.js';
import type { Snapshot } from '../../bot/snapshot.js';
import type { StateName } from '../../bot/states.js';
import { inputViewOf, step } from '../../bot/step.js';
import {
  EMERGENCY_PHONE, NOW, activeCustomer, authenticated, context, describeEffect, plans, sentMessages, snapshot, suspendedCustomer, visibleTexts,
} from './bot-fixtures.js';

const MENU = 'list[v1:menu.account,v1:menu.support,v1:menu.agent,v1:menu.plans]';
const SUPPORT = 'buttons[v1:support.no_internet,v1:support.slow,v1:support.other]';
const CONFIRM = 'buttons[v1:confirm.yes,v1:confirm.no]';
const PLANS = 'list[v1:plan.hogar-100,v1:plan.hogar-300,v1:plan.hogar-500,v1:plan.gamer-900]';
const OFFER = 'buttons[v1:nav.menu,v1:menu.agent]';
const BUDGET = 'buttons[v1:budget.yes,v1:budget.no]';
const TIMELINE = 'buttons[v1:timeline.yes,v1:timeline.no]';
const DECIDER = 'buttons[v1:decider.yes,v1:decider.no]';
const BUDGET_Q = '¿Ya tienes presupuesto para el plan Hogar 300 Mbps?';
const TIMELINE_Q = es.plans.timelineQuestion;
const DECIDER_Q = es.plans.deciderQuestion;
const LOCKED_UNTIL = new Date(NOW.getTime() + 15 * 60_000).toISOString();

interface Row {
  name: string;
  from: Snapshot;
  /** The machine event; or `input`, what the user sent, classified as the state reads it. */
  event?: BotEvent;
  input?: BotInput;
  ctx?: Partial<StepContext>;
  to: StateName;
  effects: string[];
  /** Phrases the user must read somewhere in the messages sent. */
  says?: string[];
  /** Snapshot fields expected after the step. */
  set?: Partial<Snapshot>;
}

const unauth = (state: StateName, extra: Partial<Snapshot> = {}) => snapshot({ state, ...extra });
const auth = (state: StateName, extra: Partial<Snapshot> = {}) => authenticated(activeCustomer, { state, ...extra });
const authSuspended = (state: StateName, extra: Partial<Snapshot> = {}) => authenticated(suspendedCustomer, { state, ...extra });
/** A lead under way: plan and name known, `qualification` the answers so far. */
const lead = (state: StateName, qualification: Snapshot['qualification'] = {}, extra: Partial<Snapshot> = {}) =>
  unauth(state, { planId: 'hogar-300', leadName: 'Ana María', qualification, ...extra });
const saved = (answers = '') => `save_lead:hogar-300/Ana María/{${answers}}`;
const text = (t: string): BotInput => ({ kind: 'text', text: t });
const tap = (id: string): BotInput => ({ kind: 'reply', id });
const BUDGET_YES = { budget_confirmed: true };
const TWO_ANSWERS = { budget_confirmed: true, timeline_defined: false };

const rows: Row[] = [
  // idle: first contact, whatever arrives, greets with the menu.
  { name: 'greets a first text with the name and the main menu', from: unauth('idle'), event: { type: 'UNKNOWN' }, to: 'main_menu', effects: [MENU], says: ['¡Hola, Ana!'] },
  { name: 'greets "hola" on first contact', from: unauth('idle'), event: { type: 'GREETING' }, to: 'main_menu', effects: [MENU], says: ['¡Hola, Ana!'] },
  { name: 'greets "menú" on first contact', from: unauth('idle'), event: { type: 'MENU' }, to: 'main_menu', effects: [MENU], says: ['Hola'] },
  { name: 'greets a sticker on first contact', from: unauth('idle'), event: { type: 'MEDIA', mediaType: 'sticker' }, to: 'main_menu', effects: [MENU], says: ['Hola'] },
  { name: 'greets a tap on an expired menu', from: unauth('idle'), event: { type: 'STALE' }, to: 'main_menu', effects: [MENU], says: ['Hola'] },
  { name: 'ignores a reaction on first contact', from: unauth('idle'), event: { type: 'IGNORE' }, to: 'idle', effects: [] },
  { name: 'asks an unauthenticated "asesor" for the document with the emergency phone', from: unauth('idle'), event: { type: 'AGENT' }, to: 'auth_document', effects: ['text'], says: ['documento', EMERGENCY_PHONE], set: { pendingOption: 'agent' } },
  { name: 'shows the menu when the handover ends after the session expired', from: unauth('idle'), event: { type: 'HANDOVER_ENDED' }, to: 'main_menu', effects: [MENU], says: ['asesor terminó'] },

  // main menu: the four options.
  { name: 'asks for the document before option 1', from: unauth('main_menu'), event: { type: 'ACCOUNT' }, to: 'auth_document', effects: ['text'], says: ['número de documento'], set: { pendingOption: 'account' } },
  { name: 'shows the account summary to an authenticated customer, then the menu', from: auth('main_menu'), event: { type: 'ACCOUNT' }, to: 'main_menu', effects: [MENU], says: ['Plan: Hogar 300 Mbps', 'Estado del servicio: Activo', 'Saldo: $89.900', '20 de junio de 2025'] },
  { name: 'tells a suspended customer how to reactivate in the summary', from: authSuspended('main_menu'), event: { type: 'ACCOUNT' }, to: 'main_menu', effects: [MENU], says: ['Suspendido', 'reactivarlo'] },
  { name: 'asks for the document before option 2', from: unauth('main_menu'), event: { type: 'SUPPORT' }, to: 'auth_document', effects: ['text'], set: { pendingOption: 'support' } },
  { name: 'offers the support topics to an authenticated customer', from: auth('main_menu'), event: { type: 'SUPPORT' }, to: 'support_topic', effects: [SUPPORT] },
  { name: 'hands an active customer over as soporte_agente/media', from: auth('main_menu'), event: { type: 'AGENT' }, to: 'handover', effects: ['handover:soporte_agente/media/user_requested'] },
  { name: 'hands a suspended customer over as reactivacion_servicio/alta', from: authSuspended('main_menu'), event: { type: 'AGENT' }, to: 'handover', effects: ['handover:reactivacion_servicio/alta/user_requested'] },
  { name: 'refuses options 1–3 while authentication is locked, with the emergency phone', from: unauth('main_menu'), event: { type: 'AGENT' }, ctx: { authLockedUntil: LOCKED_UNTIL }, to: 'main_menu', effects: [MENU], says: ['15 minutos', EMERGENCY_PHONE] },
  { name: 'shows the plans without authentication', from: unauth('main_menu'), event: { type: 'PLANS' }, to: 'plans_pick', effects: [PLANS], says: ['$89.900 al mes'] },
  { name: 'shows the menu again on "menú"', from: unauth('main_menu'), event: { type: 'MENU' }, to: 'main_menu', effects: [MENU] },
  { name: 'answers small talk mid-conversation with the menu, not a hint', from: unauth('support_topic'), event: { type: 'GREETING' }, to: 'main_menu', effects: [MENU], set: { strikes: 0 } },
  { name: 're-prompts the first text it does not understand with a hint', from: unauth('main_menu'), event: { type: 'UNKNOWN' }, to: 'main_menu', effects: [MENU], says: ['del 1 al 4'], set: { strikes: 1 } },
  { name: 're-prompts the second text it does not understand', from: unauth('main_menu', { strikes: 1 }), event: { type: 'UNKNOWN' }, to: 'main_menu', effects: [MENU], set: { strikes: 2 } },
  { name: 'offers the menu and a person after two hints', from: unauth('main_menu', { strikes: 2 }), event: { type: 'UNKNOWN' }, to: 'main_menu', effects: [OFFER], says: [EMERGENCY_PHONE], set: { strikes: 0 } },
  { name: 'answers media with "only text" and the current prompt', from: unauth('main_menu'), event: { type: 'MEDIA', mediaType: 'audio' }, to: 'main_menu', effects: [MENU], says: ['solo puedo leer'] },
  { name: 're-shows the menu after a stale tap', from: unauth('main_menu'), event: { type: 'STALE' }, to: 'main_menu', effects: [MENU], says: ['ya no está disponible'] },
  { name: 'says goodbye and ends the session on "salir"', from: auth('main_menu'), event: { type: 'EXIT' }, to: 'idle', effects: ['end_session', 'text'], says: ['Gracias'], set: { authenticated: false } },
  { name: 'apologises with the phone when the lead could not be saved', from: unauth('main_menu'), event: { type: 'LEAD_FAILED' }, to: 'main_menu', effects: [MENU], says: [EMERGENCY_PHONE] },

  // authentication
  { name: 'greets by name and shows the account after a found document for option 1', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'DOCUMENT_FOUND', customer: activeCustomer }, to: 'main_menu', effects: ['text', MENU], says: ['¡Gracias, Juan!', 'Plan: Hogar 300 Mbps'], set: { authenticated: true } },
  { name: 'continues to the support topics after a found document for option 2', from: unauth('auth_document', { pendingOption: 'support' }), event: { type: 'DOCUMENT_FOUND', customer: activeCustomer }, to: 'support_topic', effects: ['text', SUPPORT], set: { authenticated: true } },
  { name: 'hands a found suspended customer over for reactivation (option 3)', from: unauth('auth_document', { pendingOption: 'agent' }), event: { type: 'DOCUMENT_FOUND', customer: suspendedCustomer }, to: 'handover', effects: ['text', 'handover:reactivacion_servicio/alta/user_requested'], says: ['¡Gracias, Juan!'] },
  { name: 'hands a found active customer over to support (option 3)', from: unauth('auth_document', { pendingOption: 'agent' }), event: { type: 'DOCUMENT_FOUND', customer: activeCustomer }, to: 'handover', effects: ['text', 'handover:soporte_agente/media/user_requested'] },
  { name: 'says the document was not found and asks again with the attempts left', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'DOCUMENT_NOT_FOUND', attemptsLeft: 2 }, to: 'auth_document', effects: ['text'], says: ['No encontré', 'quedan 2 intentos'] },
  { name: 'locks after the third miss with the emergency phone and shows the menu', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'DOCUMENT_LOCKED', until: LOCKED_UNTIL }, to: 'main_menu', effects: [MENU], says: ['15 minutos', EMERGENCY_PHONE] },
  { name: 'says the system is busy and gives the phone when the CRM is unavailable', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'LOOKUP_UNAVAILABLE' }, to: 'auth_document', effects: ['text'], says: ['ocupado', EMERGENCY_PHONE] },
  { name: 'rejects text that cannot be a document with a hint', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'UNKNOWN' }, to: 'auth_document', effects: ['text'], says: ['solo con números'], set: { strikes: 1 } },
  { name: 'switches the pending option when "asesor" arrives while asking for the document', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'AGENT' }, to: 'auth_document', effects: ['text'], says: [EMERGENCY_PHONE], set: { pendingOption: 'agent' } },
  { name: 'leaves authentication for the menu on "menú"', from: unauth('auth_document', { pendingOption: 'account' }), event: { type: 'MENU' }, to: 'main_menu', effects: [MENU] },

  // support
  { name: 'gives the no-internet steps and asks if it was solved', from: auth('support_topic'), event: { type: 'SUPPORT_TOPIC', topic: 'no_internet' }, to: 'support_confirm', effects: [CONFIRM], says: ['módem', '¿Se solucionó?'], set: { supportTopic: 'no_internet' } },
  { name: 'gives the slow-internet steps', from: auth('support_topic'), event: { type: 'SUPPORT_TOPIC', topic: 'slow' }, to: 'support_confirm', effects: [CONFIRM], says: ['con cable'] },
  { name: 'gives the other-problem steps', from: auth('support_topic'), event: { type: 'SUPPORT_TOPIC', topic: 'other' }, to: 'support_confirm', effects: [CONFIRM], says: ['Reinicia también'] },
  { name: 're-prompts the support topics with a hint', from: auth('support_topic'), event: { type: 'UNKNOWN' }, to: 'support_topic', effects: [SUPPORT], says: ['1, 2 o 3'] },
  { name: 'goes back to the menu when the problem is solved', from: auth('support_confirm', { supportTopic: 'slow' }), event: { type: 'YES' }, to: 'main_menu', effects: [MENU], says: ['Qué bueno'] },
  { name: 'hands over when the problem is not solved', from: auth('support_confirm', { supportTopic: 'slow' }), event: { type: 'NO' }, to: 'handover', effects: ['handover:soporte_agente/media/support_unresolved'] },
  { name: 'hands a suspended customer over for reactivation when not solved', from: authSuspended('support_confirm', { supportTopic: 'no_internet' }), event: { type: 'NO' }, to: 'handover', effects: ['handover:reactivacion_servicio/alta/support_unresolved'] },
  { name: 're-asks "¿Se solucionó?" with the same steps on unclear text', from: auth('support_confirm', { supportTopic: 'slow' }), event: { type: 'UNKNOWN' }, to: 'support_confirm', effects: [CONFIRM], says: ['*sí* o *no*', 'con cable'] },

  // plans and leads
  { name: 'asks the name after a plan is picked', from: unauth('plans_pick'), event: { type: 'PLAN', planId: 'hogar-300' }, to: 'plans_name', effects: ['text'], says: ['Hogar 300 Mbps', '¿Cuál es tu nombre?'], set: { planId: 'hogar-300' } },
  { name: 're-prompts the plans list with a hint', from: unauth('plans_pick'), event: { type: 'UNKNOWN' }, to: 'plans_pick', effects: [PLANS], says: ['escribe su número'] },
  { name: 'saves the lead with no answers yet and asks the first qualification question', from: unauth('plans_name', { planId: 'hogar-300' }), event: { type: 'NAME', name: 'Ana María' }, to: 'plans_budget', effects: [saved(), BUDGET], says: ['¡Mucho gusto, Ana María!', '3 preguntas rápidas', BUDGET_Q], set: { leadName: 'Ana María', qualification: {}, strikes: 0 } },
  { name: 'starts a new lead with no answers when a name comes again after an earlier lead', from: lead('plans_name', TWO_ANSWERS, { leadName: 'Pedro' }), event: { type: 'NAME', name: 'Ana María' }, to: 'plans_budget', effects: [saved(), BUDGET], set: { leadName: 'Ana María', qualification: {} } },
  { name: 'shows the plans again when the chosen plan left the catalog', from: unauth('plans_name', { planId: 'hogar-50' }), event: { type: 'NAME', name: 'Ana' }, to: 'plans_pick', effects: [PLANS], says: ['ya no está disponible'] },
  { name: 'asks again for a name when the text is not one', from: unauth('plans_name', { planId: 'hogar-300' }), event: { type: 'UNKNOWN' }, to: 'plans_name', effects: ['text'], says: ['Ana María', '¿Cuál es tu nombre?'] },

  // qualification: budget → timeline → decision maker, every answer saved with the lead.
  { name: 'records "sí" to the budget, saves it and asks about the timeline', from: lead('plans_budget'), event: { type: 'YES' }, to: 'plans_timeline', effects: [saved('budget_confirmed=true'), TIMELINE], says: [TIMELINE_Q], set: { qualification: BUDGET_YES } },
  { name: 'records "no" to the budget, saves it and asks about the timeline', from: lead('plans_budget'), event: { type: 'NO' }, to: 'plans_timeline', effects: [saved('budget_confirmed=false'), TIMELINE], says: [TIMELINE_Q], set: { qualification: { budget_confirmed: false } } },
  { name: 'records "no" to the timeline with the budget answer and asks who decides', from: lead('plans_timeline', BUDGET_YES), event: { type: 'NO' }, to: 'plans_decider', effects: [saved('budget_confirmed=true,timeline_defined=false'), DECIDER], says: [DECIDER_Q], set: { qualification: TWO_ANSWERS } },
  { name: 'records "sí" to the timeline and asks who decides', from: lead('plans_timeline', BUDGET_YES), event: { type: 'YES' }, to: 'plans_decider', effects: [saved('budget_confirmed=true,timeline_defined=true'), DECIDER], set: { qualification: { budget_confirmed: true, timeline_defined: true } } },
  { name: 'records the last answer, saves all three and says a sales advisor will write', from: lead('plans_decider', TWO_ANSWERS), event: { type: 'YES' }, to: 'main_menu', effects: [saved('budget_confirmed=true,timeline_defined=false,decision_maker_involved=true'), MENU], says: ['¡Gracias, Ana María!', 'asesor comercial', 'Hogar 300 Mbps'], set: { qualification: { ...TWO_ANSWERS, decision_maker_involved: true } } },
  { name: 'records "no" to who decides and thanks the user', from: lead('plans_decider', TWO_ANSWERS), event: { type: 'NO' }, to: 'main_menu', effects: [saved('budget_confirmed=true,timeline_defined=false,decision_maker_involved=false'), MENU], says: ['¡Gracias, Ana María!'] },
  { name: 're-asks the budget with a hint on text that is no answer', from: lead('plans_budget'), event: { type: 'UNKNOWN' }, to: 'plans_budget', effects: [BUDGET], says: [es.plans.answerHint, BUDGET_Q], set: { strikes: 1, qualification: {} } },
  { name: 're-asks the timeline with a hint', from: lead('plans_timeline', BUDGET_YES, { strikes: 1 }), event: { type: 'UNKNOWN' }, to: 'plans_timeline', effects: [TIMELINE], says: [es.plans.answerHint, TIMELINE_Q], set: { strikes: 2 } },
  { name: 'offers the menu and a person after two hints on a question', from: lead('plans_decider', TWO_ANSWERS, { strikes: 2 }), event: { type: 'UNKNOWN' }, to: 'plans_decider', effects: [OFFER], says: [EMERGENCY_PHONE], set: { strikes: 0, qualification: TWO_ANSWERS } },
  { name: 're-asks the question after a stale tap, recording nothing', from: lead('plans_timeline', BUDGET_YES), event: { type: 'STALE' }, to: 'plans_timeline', effects: [TIMELINE], says: ['ya no está disponible', TIMELINE_Q], set: { qualification: BUDGET_YES } },
  { name: 're-asks the question after media', from: lead('plans_decider', TWO_ANSWERS), event: { type: 'MEDIA', mediaType: 'audio' }, to: 'plans_decider', effects: [DECIDER], says: ['solo puedo leer', DECIDER_Q] },
  { name: 'leaves the questions for the menu on "menú", keeping the answers given', from: lead('plans_timeline', BUDGET_YES), event: { type: 'MENU' }, to: 'main_menu', effects: [MENU], set: { qualification: BUDGET_YES } },
  { name: 'asks an unauthenticated "asesor" for the document from a question', from: lead('plans_budget'), event: { type: 'AGENT' }, to: 'auth_document', effects: ['text'], says: [EMERGENCY_PHONE], set: { pendingOption: 'agent' } },
  { name: 'hands an authenticated "asesor" over from a question', from: authenticated(activeCustomer, { state: 'plans_decider', planId: 'hogar-300', leadName: 'Ana María', qualification: TWO_ANSWERS }), event: { type: 'AGENT' }, to: 'handover', effects: ['handover:soporte_agente/media/user_requested'] },
  { name: 'says goodbye on "salir" from a question and forgets the lead', from: lead('plans_timeline', BUDGET_YES), event: { type: 'EXIT' }, to: 'idle', effects: ['end_session', 'text'], set: { leadName: undefined, qualification: undefined, planId: undefined } },
  { name: 'answers small talk on a question with the menu, like every state showing a menu', from: lead('plans_budget'), event: { type: 'GREETING' }, to: 'main_menu', effects: [MENU] },
  { name: 'shows the plans again from a question on option 4', from: lead('plans_budget'), event: { type: 'PLANS' }, to: 'plans_pick', effects: [PLANS] },
  { name: 'shows the plans again when the plan left the catalog before an answer', from: lead('plans_timeline', BUDGET_YES, { planId: 'hogar-50' }), event: { type: 'YES' }, to: 'plans_pick', effects: [PLANS], says: ['ya no está disponible'], set: { qualification: BUDGET_YES } },
  { name: 'shows the plans again when the name is missing, saving nothing', from: unauth('plans_budget', { planId: 'hogar-300' }), event: { type: 'YES' }, to: 'plans_pick', effects: [PLANS], says: ['ya no está disponible'] },
  { name: 'apologises with the phone when the lead could not be saved after the name', from: lead('plans_budget'), event: { type: 'LEAD_FAILED' }, to: 'main_menu', effects: [MENU], says: [EMERGENCY_PHONE, 'no pude guardar'] },
  { name: 'apologises with the phone when the lead could not be saved after the budget', from: lead('plans_timeline', BUDGET_YES), event: { type: 'LEAD_FAILED' }, to: 'main_menu', effects: [MENU], says: [EMERGENCY_PHONE, 'no pude guardar'] },
  { name: 'apologises with the phone when the lead could not be saved after the timeline', from: lead('plans_decider', TWO_ANSWERS), event: { type: 'LEAD_FAILED' }, to: 'main_menu', effects: [MENU], says: [EMERGENCY_PHONE, 'no pude guardar'] },

  // qualification, from what the user sends: taps (current, stale, other versions) and typed answers.
  { name: 'reads a tap on "Sí" of the budget question', from: lead('plans_budget'), input: tap('v1:budget.yes'), to: 'plans_timeline', effects: [saved('budget_confirmed=true'), TIMELINE] },
  { name: 'reads a tap on "No" of the budget question', from: lead('plans_budget'), input: tap('v1:budget.no'), to: 'plans_timeline', effects: [saved('budget_confirmed=false'), TIMELINE] },
  { name: 'reads a tap on "No" of the timeline question', from: lead('plans_timeline', BUDGET_YES), input: tap('v1:timeline.no'), to: 'plans_decider', effects: [saved('budget_confirmed=true,timeline_defined=false'), DECIDER] },
  { name: 'reads a tap on "Sí" of the decision-maker question', from: lead('plans_decider', TWO_ANSWERS), input: tap('v1:decider.yes'), to: 'main_menu', effects: [saved('budget_confirmed=true,timeline_defined=false,decision_maker_involved=true'), MENU] },
  { name: 'does not take a budget button still on screen as the timeline answer', from: lead('plans_timeline', BUDGET_YES), input: tap('v1:budget.no'), to: 'plans_timeline', effects: [TIMELINE], says: ['ya no está disponible'], set: { qualification: BUDGET_YES } },
  { name: 'does not take a timeline button as the decision-maker answer', from: lead('plans_decider', TWO_ANSWERS), input: tap('v1:timeline.yes'), to: 'plans_decider', effects: [DECIDER], says: ['ya no está disponible'], set: { qualification: TWO_ANSWERS } },
  { name: 'does not take a later question\'s button as the budget answer', from: lead('plans_budget'), input: tap('v1:decider.yes'), to: 'plans_budget', effects: [BUDGET], says: ['ya no está disponible'], set: { qualification: {} } },
  { name: 'does not take a "¿Se solucionó?" button as an answer', from: lead('plans_budget'), input: tap('v1:confirm.yes'), to: 'plans_budget', effects: [BUDGET], says: ['ya no está disponible'] },
  { name: 'does not take a button of another machine version as an answer', from: lead('plans_budget'), input: tap('v0:budget.yes'), to: 'plans_budget', effects: [BUDGET], says: ['ya no está disponible'] },
  { name: 'does not take an unversioned question id as an answer', from: lead('plans_budget'), input: tap('budget.yes'), to: 'plans_budget', effects: [BUDGET], says: ['ya no está disponible'] },
  { name: 'takes a late tap on the last question as stale once back in the menu', from: lead('main_menu', { ...TWO_ANSWERS, decision_maker_involved: true }), input: tap('v1:decider.no'), to: 'main_menu', effects: [MENU], says: ['ya no está disponible'], set: { qualification: { ...TWO_ANSWERS, decision_maker_involved: true } } },
  ...['sí', 'Si', 'S', 'sii', 'claro', 'Claro que sí', 'dale', 'de una, sí señor', 'yes', 'ok', 'por supuesto', '1', 'la 1', '👍'].map((typed) => (
    { name: `reads typed ${JSON.stringify(typed)} as yes to the budget`, from: lead('plans_budget'), input: text(typed), to: 'plans_timeline' as const, effects: [saved('budget_confirmed=true'), TIMELINE] }
  )),
  ...['no', 'NO', 'n', 'nop', 'noo', 'todavía no', 'aún no, gracias', 'negativo', '2', '👎'].map((typed) => (
    { name: `reads typed ${JSON.stringify(typed)} as no to the timeline`, from: lead('plans_timeline', BUDGET_YES), input: text(typed), to: 'plans_decider' as const, effects: [saved('budget_confirmed=true,timeline_defined=false'), DECIDER] }
  )),
  { name: 'reads typed "soy yo, sí" as yes to who decides', from: lead('plans_decider', TWO_ANSWERS), input: text('soy yo, sí'), to: 'main_menu', effects: [saved('budget_confirmed=true,timeline_defined=false,decision_maker_involved=true'), MENU] },
  ...['no sé', 'tal vez', 'sí, pero todavía no', 'no estoy seguro', '3', 'quiero internet'].map((typed) => (
    { name: `re-asks with a hint on ${JSON.stringify(typed)}, recording nothing`, from: lead('plans_budget'), input: text(typed), to: 'plans_budget' as const, effects: [BUDGET], says: [es.plans.answerHint], set: { strikes: 1, qualification: {} } }
  )),
  { name: 'goes to the menu on typed "menú" from a question', from: lead('plans_budget'), input: text('volver al menú'), to: 'main_menu', effects: [MENU] },
  { name: 'goes to the menu on "inicio" from a question', from: lead('plans_decider', TWO_ANSWERS), input: text('inicio'), to: 'main_menu', effects: [MENU] },
  { name: 'honours the offered "Menú principal" button on a question', from: lead('plans_timeline', BUDGET_YES), input: tap('v1:nav.menu'), to: 'main_menu', effects: [MENU] },
  { name: 'lets "no, quiero un asesor" reach a person (the word wins over the answer)', from: lead('plans_timeline', BUDGET_YES), input: text('no, quiero un asesor'), to: 'auth_document', effects: ['text'], says: [EMERGENCY_PHONE] },
  { name: 'ends the session on typed "salir" from a question', from: lead('plans_decider', TWO_ANSWERS), input: text('salir'), to: 'idle', effects: ['end_session', 'text'] },

  // handover: silent except the ways out.
  { name: 'stays silent on text during a handover', from: auth('handover'), event: { type: 'UNKNOWN' }, to: 'handover', effects: [] },
  { name: 'stays silent on media during a handover', from: auth('handover'), event: { type: 'MEDIA', mediaType: 'image' }, to: 'handover', effects: [] },
  { name: 'stays silent on menu options during a handover', from: auth('handover'), event: { type: 'AGENT' }, to: 'handover', effects: [] },
  { name: 'stays silent on "hola" during a handover', from: auth('handover'), event: { type: 'GREETING' }, to: 'handover', effects: [] },
  { name: 'stays silent on stale taps during a handover', from: auth('handover'), event: { type: 'STALE' }, to: 'handover', effects: [] },
  { name: 'shows the menu when the handover ends', from: auth('handover'), event: { type: 'HANDOVER_ENDED' }, to: 'main_menu', effects: [MENU], says: ['asesor terminó'], set: { authenticated: true } },
  { name: 'apologises with the phone when the handover could not be opened', from: auth('handover'), event: { type: 'HANDOVER_FAILED' }, to: 'main_menu', effects: [MENU], says: [EMERGENCY_PHONE] },
  { name: 'lets the user leave a handover with "menú"', from: auth('handover'), event: { type: 'MENU' }, to: 'main_menu', effects: [MENU] },
  { name: 'lets the user end the session during a handover', from: auth('handover'), event: { type: 'EXIT' }, to: 'idle', effects: ['end_session', 'text'] },
];

/** The event a row applies: its own, or the user's input classified as its state reads it. */
function eventOf({ event, input, from }: Row): BotEvent {
  if (event) return event;
  if (!input) throw new Error('a row needs an event or an input');
  const classified = classifyInput(input, inputViewOf(botMachine, from.state, plans));
  if (classified.type === 'DOCUMENT_ENTERED') throw new Error('documents need the runner');
  return classified;
}

const table = rows.map((row) => ({ ...row, on: row.event ? row.event.type : JSON.stringify(row.input && (row.input.kind === 'text' ? row.input.text : row.input.kind === 'reply' ? row.input.id : row.input.mediaType)) }));

describe('step: every transition of the bot machine', () => {
  it.each(table)('$from.state + $on: $name', (row) => {
    const { from, ctx, to, effects, says, set } = row;
    const result = step(botMachine, from, eventOf(row), context(ctx));
    expect(result.snapshot.state).toBe(to);
    expect(result.effects.map(describeEffect)).toEqual(effects);
    const text = sentMessages(result.effects).flatMap(visibleTexts).join('\n');
    for (const phrase of says ?? []) expect(text).toContain(phrase);
    // Each field exactly (`qualification: {}` means no answers, not "any object").
    for (const [field, value] of Object.entries(set ?? {})) expect(result.snapshot[field as keyof Snapshot], field).toEqual(value);
  });

  it('is pure: the same input gives the same output and the input snapshot is not mutated', () => {
    const from = unauth('auth_document', { pendingOption: 'agent' });
    const copy = structuredClone(from);
    const event: BotEvent = { type: 'DOCUMENT_FOUND', customer: suspendedCustomer };
    expect(step(botMachine, from, event, context())).toEqual(step(botMachine, from, event, context()));
    expect(from).toEqual(copy);
  });

  it('keeps the snapshot JSON-serializable, without undefined fields', () => {
    const { snapshot: after } = step(botMachine, auth('main_menu', { pendingOption: 'account', planId: 'hogar-100' }), { type: 'EXIT' }, context());
    expect(JSON.parse(JSON.stringify(after))).toEqual(after);
    expect(Object.values(after)).not.toContain(undefined);
  });

  it('changes nothing for an event the state does not handle', () => {
    const from = unauth('main_menu');
    expect(step(botMachine, from, { type: 'DOCUMENT_FOUND', customer: activeCustomer }, context())).toEqual({ snapshot: from, effects: [] });
  });

  it('uses the profile name only until the CRM gives the real one', () => {
    const greeting = step(botMachine, authenticated(activeCustomer, { state: 'idle' }), { type: 'MENU' }, context({ profileName: '🔥🔥' }));
    expect(sentMessages(greeting.effects)[0]?.kind === 'list' && sentMessages(greeting.effects)[0]).toMatchObject({ body: expect.stringContaining('¡Hola, Juan!') });
    const anonymous = step(botMachine, unauth('idle'), { type: 'MENU' }, context({ profileName: '🔥🔥' }));
    expect(visibleTexts(sentMessages(anonymous.effects)[0]!)[0]).toMatch(/^¡Hola! /);
  });
});
