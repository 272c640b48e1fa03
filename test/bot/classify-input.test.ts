import { describe, expect, it } from 'vitest';
import { classifyInput, type BotInput, type InputView } from '../../bot/events.js';
import { decodeReplyId, encodeReplyId } from '../../bot/reply-ids.js';
import { parseDocument, parseName } from '../../bot/text-input.js';

const planIds = ['hogar-100', 'hogar-300', 'hogar-500', 'gamer-900'];
const idle: InputView = { planIds };
const mainMenu: InputView = { menu: 'menu', planIds };
const supportTopic: InputView = { menu: 'support', planIds };
const confirm: InputView = { menu: 'confirm', planIds };
const plansPick: InputView = { menu: 'plan', planIds };
const authDocument: InputView = { expects: 'document', planIds };
const plansName: InputView = { expects: 'name', planIds };
const budget: InputView = { menu: 'budget', planIds };
const timeline: InputView = { menu: 'timeline', planIds };
const decider: InputView = { menu: 'decider', planIds };

const text = (t: string): BotInput => ({ kind: 'text', text: t });
const tap = (id: string, title?: string): BotInput => (title ? { kind: 'reply', id, title } : { kind: 'reply', id });

describe('classifyInput: contract keywords', () => {
  it.each([
    ['Quiero hablar con un ASESOR', 'AGENT'],
    ['necesito un agente por favor', 'AGENT'],
    ['¿hay algún humano?', 'AGENT'],
    ['MENÚ', 'MENU'],
    ['volver al menu', 'MENU'],
    ['Inicio', 'MENU'],
    ['salir', 'EXIT'],
    ['Quiero SALIR ya', 'EXIT'],
  ])('reads %j as %s in any state, case- and accent-insensitively', (input, type) => {
    for (const view of [idle, mainMenu, authDocument, plansName, confirm]) expect(classifyInput(text(input), view).type).toBe(type);
  });

  it('matches whole words only', () => {
    expect(classifyInput(text('necesito asesoría'), mainMenu).type).toBe('UNKNOWN');
    expect(classifyInput(text('los menus del día'), mainMenu).type).toBe('UNKNOWN');
    expect(classifyInput(text('saliraa'), mainMenu).type).toBe('UNKNOWN');
  });

  it('prefers a person, then the menu, when several keywords appear', () => {
    expect(classifyInput(text('salir del menú y hablar con un asesor'), mainMenu).type).toBe('AGENT');
    expect(classifyInput(text('salir al menú'), mainMenu).type).toBe('MENU');
  });
});

describe('classifyInput: the main menu', () => {
  it.each([['1', 'ACCOUNT'], ['2.', 'SUPPORT'], [' opción 3 ', 'AGENT'], ['4', 'PLANS']])('reads the typed digit %j as %s', (input, type) => {
    expect(classifyInput(text(input), mainMenu).type).toBe(type);
  });

  it.each([['mi factura', 'ACCOUNT'], ['Soporte técnico', 'SUPPORT'], ['planes', 'PLANS'], ['promociones', 'PLANS']])('reads the option word %j as %s', (input, type) => {
    expect(classifyInput(text(input), mainMenu).type).toBe(type);
  });

  it('does not guess when the words name two options or the digit is out of range', () => {
    expect(classifyInput(text('soporte de mi factura'), mainMenu).type).toBe('UNKNOWN');
    expect(classifyInput(text('5'), mainMenu).type).toBe('UNKNOWN');
    expect(classifyInput(text('12'), mainMenu).type).toBe('UNKNOWN');
  });

  it('answers small talk with the menu instead of a hint, but not where text is expected', () => {
    expect(classifyInput(text('Hola, buenas tardes'), mainMenu).type).toBe('GREETING');
    expect(classifyInput(text('muchas gracias!'), supportTopic).type).toBe('GREETING');
    expect(classifyInput(text('hola'), authDocument).type).toBe('UNKNOWN');
    expect(classifyInput(text('hola quiero internet'), mainMenu).type).toBe('UNKNOWN');
  });

  it('reads typed digits only where a menu is shown', () => {
    expect(classifyInput(text('1'), idle).type).toBe('UNKNOWN');
    expect(classifyInput(text('1'), supportTopic)).toEqual({ type: 'SUPPORT_TOPIC', topic: 'no_internet' });
    expect(classifyInput(text('2'), plansPick)).toEqual({ type: 'PLAN', planId: 'hogar-300' });
  });
});

describe('classifyInput: taps and stale menus', () => {
  it('decodes the taps of the menu the state shows', () => {
    expect(classifyInput(tap('v1:support.slow'), supportTopic)).toEqual({ type: 'SUPPORT_TOPIC', topic: 'slow' });
    expect(classifyInput(tap('v1:confirm.no'), confirm)).toEqual({ type: 'NO' });
    expect(classifyInput(tap('v1:plan.gamer-900'), plansPick)).toEqual({ type: 'PLAN', planId: 'gamer-900' });
  });

  it('honours main-menu and navigation taps from any state', () => {
    for (const view of [idle, supportTopic, confirm, authDocument, plansName]) {
      expect(classifyInput(tap('v1:menu.agent'), view).type).toBe('AGENT');
      expect(classifyInput(tap('v1:nav.menu'), view).type).toBe('MENU');
    }
  });

  it('accepts the unversioned contract form of main-menu ids (template quick replies)', () => {
    expect(classifyInput(tap('menu.plans'), supportTopic).type).toBe('PLANS');
  });

  it('treats a tap on a menu the state no longer shows as STALE', () => {
    expect(classifyInput(tap('v1:support.slow'), mainMenu).type).toBe('STALE');
    expect(classifyInput(tap('v1:confirm.yes'), supportTopic).type).toBe('STALE');
    expect(classifyInput(tap('support.slow'), supportTopic).type).toBe('STALE');
  });

  it('treats a tap from an older machine version as STALE, main menu included', () => {
    expect(classifyInput(tap('v0:support.slow'), supportTopic).type).toBe('STALE');
    expect(classifyInput(tap('v0:menu.agent'), mainMenu).type).toBe('STALE');
  });

  it('treats unknown options and removed plans as STALE', () => {
    expect(classifyInput(tap('v1:menu.billing'), mainMenu).type).toBe('STALE');
    expect(classifyInput(tap('v1:plan.hogar-50'), plansPick).type).toBe('STALE');
  });

  it('reads the visible title of a reply id that is not ours, and is STALE without one', () => {
    expect(classifyInput(tap('CAMPAIGN_OK', 'Hablar con un asesor'), mainMenu).type).toBe('AGENT');
    expect(classifyInput(tap('CAMPAIGN_OK'), mainMenu).type).toBe('STALE');
  });
});

describe('classifyInput: expected text and media', () => {
  it('turns a valid document into DOCUMENT_ENTERED with its digits only', () => {
    expect(classifyInput(text(' 1.020.304.050 '), authDocument)).toEqual({ type: 'DOCUMENT_ENTERED', document: '1020304050' });
  });

  it.each(['abc123', '1234', '1234567890123', 'CC 12345678', 'hola'])('rejects %j as a document before any CRM call', (input) => {
    expect(classifyInput(text(input), authDocument).type).toBe('UNKNOWN');
  });

  it('turns a name into NAME and rejects text that is not one', () => {
    expect(classifyInput(text('  Ana   María '), plansName)).toEqual({ type: 'NAME', name: 'Ana María' });
    expect(classifyInput(text('Me llamo Ana'), plansName)).toEqual({ type: 'NAME', name: 'Ana' });
    expect(classifyInput(text('mi nombre es Luis Pérez'), plansName)).toEqual({ type: 'NAME', name: 'Luis Pérez' });
    expect(classifyInput(text('hola'), plansName)).toEqual({ type: 'UNKNOWN' });
    expect(classifyInput(text('muchas gracias'), plansName)).toEqual({ type: 'UNKNOWN' });
    expect(classifyInput(text('12345'), plansName).type).toBe('UNKNOWN');
    expect(classifyInput(text('Me llamo Ana'), plansName)).toEqual({ type: 'NAME', name: 'Ana' });
    expect(classifyInput(text('mi nombre es Luis Pérez'), plansName)).toEqual({ type: 'NAME', name: 'Luis Pérez' });
    expect(classifyInput(text('hola'), plansName)).toEqual({ type: 'UNKNOWN' });
    expect(classifyInput(text('muchas gracias'), plansName)).toEqual({ type: 'UNKNOWN' });
    expect(classifyInput(text('a'), plansName).type).toBe('UNKNOWN');
  });

  it.each([['sí', 'YES'], ['Si, ya funciona', 'YES'], ['no', 'NO'], ['no funciona', 'NO'], ['sigue igual', 'NO']])('reads %j as %s on the confirmation', (input, type) => {
    expect(classifyInput(text(input), confirm).type).toBe(type);
  });

  it('answers media with MEDIA and ignores reactions', () => {
    expect(classifyInput({ kind: 'media', mediaType: 'sticker' }, mainMenu)).toEqual({ type: 'MEDIA', mediaType: 'sticker' });
    expect(classifyInput({ kind: 'media', mediaType: 'location' }, authDocument).type).toBe('MEDIA');
    expect(classifyInput({ kind: 'media', mediaType: 'reaction' }, mainMenu).type).toBe('IGNORE');
  });
});

describe('classifyInput: the qualification questions (Sí / No)', () => {
  it('decodes each question\'s buttons only while that question is on screen', () => {
    expect(classifyInput(tap('v1:budget.yes'), budget)).toEqual({ type: 'YES' });
    expect(classifyInput(tap('v1:timeline.no'), timeline)).toEqual({ type: 'NO' });
    expect(classifyInput(tap('v1:decider.yes'), decider)).toEqual({ type: 'YES' });
    expect(classifyInput(tap('v1:budget.yes'), timeline).type).toBe('STALE');
    expect(classifyInput(tap('v1:timeline.no'), decider).type).toBe('STALE');
    expect(classifyInput(tap('v1:confirm.yes'), budget).type).toBe('STALE');
    expect(classifyInput(tap('v1:budget.maybe'), budget).type).toBe('STALE');
    expect(classifyInput(tap('v0:budget.yes'), budget).type).toBe('STALE');
    expect(classifyInput(tap('v1:budget.yes'), mainMenu).type).toBe('STALE');
  });

  it.each(['sí', 'SI', 's', 'siii', 'sip', 'yes', 'claro', 'Claro que sí', 'dale', 'listo', 'ok', 'por supuesto', 'obvio', '1', 'opción 1', '👍', '👍🏽'])('reads %j as YES', (input) => {
    for (const view of [budget, timeline, decider]) expect(classifyInput(text(input), view)).toEqual({ type: 'YES' });
  });

  it.each(['no', 'No.', 'n', 'nop', 'nope', 'noo', 'todavía no', 'aún no', 'negativo', 'nel', '2', '👎'])('reads %j as NO', (input) => {
    for (const view of [budget, timeline, decider]) expect(classifyInput(text(input), view)).toEqual({ type: 'NO' });
  });

  it.each(['no sé', 'No se', 'tal vez', 'quizás', 'depende', 'ni idea', 'no estoy segura', 'sí, pero todavía no', 'si no', '3', 'cuánto cuesta'])('does not guess on %j', (input) => {
    expect(classifyInput(text(input), budget).type).toBe('UNKNOWN');
  });

  it('keeps the contract words and small talk', () => {
    expect(classifyInput(text('no, mejor un asesor'), budget).type).toBe('AGENT');
    expect(classifyInput(text('menú'), timeline).type).toBe('MENU');
    expect(classifyInput(text('salir'), decider).type).toBe('EXIT');
    expect(classifyInput(text('gracias'), budget).type).toBe('GREETING');
    expect(classifyInput(text('sí, gracias'), budget).type).toBe('YES');
  });

  it('leaves "¿Se solucionó?" as it was: there a no wins', () => {
    expect(classifyInput(text('sí, pero no funciona'), confirm).type).toBe('NO');
  });
});

describe('reply-id codec', () => {
  it('encodes the machine version and the menu, ending with the option name', () => {
    expect(encodeReplyId('menu', 'agent')).toBe('v1:menu.agent');
    expect(decodeReplyId('v1:plan.hogar-300')).toEqual({ version: 1, menu: 'plan', option: 'hogar-300' });
  });

  it('rejects ids that are not ours and options that cannot be encoded', () => {
    expect(decodeReplyId('v1:unknown.x')).toBeUndefined();
    expect(decodeReplyId('hola')).toBeUndefined();
    expect(() => encodeReplyId('plan', 'Hogar 300')).toThrow();
  });

  it('parses documents and names independently of the state', () => {
    expect(parseDocument('900-123-456')).toBe('900123456');
    expect(parseName("O'Neil")).toBe("O'Neil");
  });
});
