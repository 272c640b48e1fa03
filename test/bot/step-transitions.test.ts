import { describe, expect, it } from 'vitest';
import type { BotEvent } from '../../bot/events.js';
import { botMachine } from '../../bot/machine.js';
import type { StepContext } from '../../bot/machine-parts.js';
import type { Snapshot } from '../../bot/snapshot.js';
import type { StateName } from '../../bot/states.js';
import { step } from '../../bot/step.js';
import {
  EMERGENCY_PHONE, NOW, activeCustomer, authenticated, context, describeEffect, sentMessages, snapshot, suspendedCustomer, visibleTexts,
} from './bot-fixtures.js';

const MENU = 'list[v1:menu.account,v1:menu.support,v1:menu.agent,v1:menu.plans]';
const SUPPORT = 'buttons[v1:support.no_internet,v1:support.slow,v1:support.other]';
const CONFIRM = 'buttons[v1:confirm.yes,v1:confirm.no]';
const PLANS = 'list[v1:plan.hogar-100,v1:plan.hogar-300,v1:plan.hogar-500,v1:plan.gamer-900]';
const OFFER = 'buttons[v1:nav.menu,v1:menu.agent]';
const LOCKED_UNTIL = new Date(NOW.getTime() + 15 * 60_000).toISOString();

interface Row {
  name: string;
  from: Snapshot;
  event: BotEvent;
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
  { name: 'saves the lead and says a sales advisor will write', from: unauth('plans_name', { planId: 'hogar-300' }), event: { type: 'NAME', name: 'Ana María' }, to: 'main_menu', effects: ['save_lead:hogar-300', MENU], says: ['¡Gracias, Ana María!', 'asesor comercial', 'Hogar 300 Mbps'] },
  { name: 'shows the plans again when the chosen plan left the catalog', from: unauth('plans_name', { planId: 'hogar-50' }), event: { type: 'NAME', name: 'Ana' }, to: 'plans_pick', effects: [PLANS], says: ['ya no está disponible'] },
  { name: 'asks again for a name when the text is not one', from: unauth('plans_name', { planId: 'hogar-300' }), event: { type: 'UNKNOWN' }, to: 'plans_name', effects: ['text'], says: ['Ana María', '¿Cuál es tu nombre?'] },

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

describe('step: every transition of the bot machine', () => {
  it.each(rows)('$from.state + $event.type: $name', ({ from, event, ctx, to, effects, says, set }) => {
    const result = step(botMachine, from, event, context(ctx));
    expect(result.snapshot.state).toBe(to);
    expect(result.effects.map(describeEffect)).toEqual(effects);
    const text = sentMessages(result.effects).flatMap(visibleTexts).join('\n');
    for (const phrase of says ?? []) expect(text).toContain(phrase);
    if (set) expect(result.snapshot).toMatchObject(set);
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
