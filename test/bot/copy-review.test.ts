import { describe, expect, it } from 'vitest';
import { META_LIMITS, charCount } from '../../bot/message-limits.js';
import { es } from '../../bot/messages.es.js';
import { visibleTexts } from './bot-fixtures.js';
import { sweepMachine } from './machine-sweep.js';

/** Common English words that must not leak into the Spanish copy ("menú" is fine, "menu" is not). */
const ENGLISH = [
  'the', 'your', 'you', 'please', 'menu', 'hello', 'hi', 'sorry', 'thanks', 'thank', 'agent', 'support', 'error', 'ok', 'okay',
  'welcome', 'help', 'account', 'service', 'status', 'bill', 'invoice', 'payment', 'yes', 'click', 'link', 'bot', 'chat',
  'online', 'email', 'wifi', 'router', 'reset', 'login', 'password', 'user', 'customer', 'ticket', 'lead', 'plans', 'option',
];
const PLACEHOLDER = /\{[^}]*\}|\$\{|\bundefined\b|\bnull\b|\bNaN\b|\[object /;

/** Every string of the catalog, with templated ones called with realistic (and long) arguments. */
function catalogStrings(node: unknown, path = 'es'): Array<[string, string]> {
  if (typeof node === 'string') return [[path, node]];
  if (typeof node === 'function') {
    const fn = node as (...args: unknown[]) => string;
    const withText = Array.from({ length: fn.length }, (_, i) => (i === 0 ? 'María Fernanda de los Ángeles' : 'Hogar 300 Mbps'));
    const withNumbers = Array.from({ length: fn.length }, (_, i) => (i === 0 ? 1 : '3242156679'));
    return [[`${path}(text)`, fn(...withText)], [`${path}(number)`, fn(...withNumbers)]];
  }
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => catalogStrings(v, `${path}.${k}`));
  return [];
}

function englishWordsIn(text: string): string[] {
  const words = text.toLowerCase().split(/[^\p{L}]+/u);
  return words.filter((w) => ENGLISH.includes(w));
}

describe('copy review (messages.es.ts)', () => {
  const strings = catalogStrings(es);

  it('has no English words in any catalog string', () => {
    const found = strings.flatMap(([path, text]) => englishWordsIn(text).map((w) => `${path}: ${w}`));
    expect(found).toEqual([]);
  });

  it('has no leftover placeholders in any catalog string', () => {
    expect(strings.filter(([, text]) => PLACEHOLDER.test(text)).map(([path]) => path)).toEqual([]);
  });

  it('reads naturally when the name is unknown', () => {
    expect(es.greeting(undefined)).toMatch(/^¡Hola! /);
    expect(es.auth.ok(undefined)).toMatch(/^¡Gracias! /);
    expect(es.account.title(undefined)).toMatch(/^Este es /);
    expect(es.plans.questionsIntro(undefined)).toMatch(/^¡Mucho gusto! /);
    expect(es.plans.thanks(undefined, 'Hogar 300 Mbps')).toMatch(/^¡Gracias! /);
    expect(es.plans.budgetQuestion(undefined)).toBe('¿Ya tienes presupuesto para este plan?');
  });

  it('keeps every catalog string within the text limit and interactive strings within theirs', () => {
    for (const [path, text] of strings) expect(charCount(text), path).toBeLessThanOrEqual(META_LIMITS.interactiveBody);
    for (const option of Object.values(es.menu.options)) {
      expect(charCount(option.title)).toBeLessThanOrEqual(META_LIMITS.rowTitle);
      expect(charCount(option.description)).toBeLessThanOrEqual(META_LIMITS.rowDescription);
    }
    for (const title of [...Object.values(es.support.topics), es.support.yes, es.support.no, es.plans.yes, es.plans.no, es.general.offerMenu, es.general.offerAgent]) {
      expect(charCount(title), title).toBeLessThanOrEqual(META_LIMITS.buttonTitle);
    }
    for (const label of [es.menu.button, es.plans.button]) expect(charCount(label)).toBeLessThanOrEqual(META_LIMITS.listButton);
    for (const section of [es.menu.section, es.plans.section]) expect(charCount(section)).toBeLessThanOrEqual(META_LIMITS.sectionTitle);
    expect(charCount(es.menu.footer)).toBeLessThanOrEqual(META_LIMITS.footer);
  });

  it('never renders English, placeholders or empty text in any message the machine sends', () => {
    const problems = new Set<string>();
    for (const { label, messages } of sweepMachine()) {
      for (const text of messages.flatMap(visibleTexts)) {
        for (const word of englishWordsIn(text)) problems.add(`${label}: English "${word}"`);
        if (PLACEHOLDER.test(text)) problems.add(`${label}: placeholder in ${JSON.stringify(text.slice(0, 60))}`);
        if (text.trim() === '') problems.add(`${label}: empty text`);
      }
    }
    expect([...problems]).toEqual([]);
  });

  it('asks the qualification questions briefly, addressing the user as "tú", with Sí / No buttons', () => {
    const questions = [es.plans.budgetQuestion('Gamer 900 Mbps'), es.plans.timelineQuestion, es.plans.deciderQuestion];
    for (const question of questions) {
      expect(question).toMatch(/^¿.+\?$/);
      expect(charCount(question)).toBeLessThanOrEqual(60);
      expect(question).not.toMatch(/\busted\b/i);
    }
    expect(es.plans.questionsIntro('Ana')).toContain('3 preguntas');
    expect([es.plans.yes, es.plans.no]).toEqual(['Sí', 'No']);
    expect(es.plans.answerHint).toMatch(/\*sí\* o \*no\*/);
  });

  it('gives the emergency phone in every message that tells the user to call', () => {
    const texts = sweepMachine().flatMap(({ messages }) => messages.flatMap(visibleTexts));
    const calls = texts.filter((t) => /llámanos|llamarnos/.test(t));
    expect(calls.length).toBeGreaterThan(0);
    for (const text of calls) expect(text).toContain('3242156679');
  });
});
