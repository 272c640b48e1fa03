/**
 * The built-in ai_intent scorer: a deterministic, explainable keyword and phrase classifier over
 * the user's own messages, in Spanish (es-CO) and English. Every point of its score can be traced
 * to a phrase a rep can find in the conversation.
 *
 * | intent         | confidence | what it means                           | examples (Spanish, English)                              |
 * | -------------- | ---------- | --------------------------------------- | -------------------------------------------------------- |
 * | `purchase`     | 0.90       | wants to buy or sign up                 | contratar, comprar, adquirir, quiero el plan; buy, sign up |
 * | `pricing`      | 0.80       | asks what it costs                      | precio, cuánto cuesta, cotización, tarifa; price, quote  |
 * | `installation` | 0.70       | asks about getting it installed         | instalar, instalación, cuándo instalan, visita técnica; install |
 * | `upgrade`      | 0.70       | wants more of what they have            | mejorar mi plan, subir de plan, más velocidad; upgrade   |
 * | `demo`         | 0.60       | wants to try it first                   | demo, prueba gratis, periodo de prueba; trial, test      |
 * | `plan`         | 0.50       | talks about the product (plans, speeds) | plan, planes, megas, velocidad, fibra; plans, package    |
 *
 * The full phrase lists are `INTENTS` below. Matching:
 * - Text is lowercased, accents are stripped ("cotizacion" = "cotización", "CUÁNTO" = "cuanto"),
 *   apostrophes are dropped ("don't" = "dont") and every other non-letter, non-digit is a space.
 * - Phrases match whole words only: "plantilla" is not "plan", "prueba" is not "comprueba".
 * - Punctuation (. , ; : ! ? ¿ ¡ parentheses, line breaks) ends a clause; a phrase never spans two.
 * - Within an intent the longest phrase at a position wins and uses up its words, so
 *   "me interesa contratar" is one match, not also "contratar". Intents are matched
 *   independently: "quiero el plan" is `purchase` and also `plan`.
 * - Some phrases are listed only to be ignored (`IGNORED_PHRASES`): "prueba de velocidad" /
 *   "speed test" is a support matter, not a `demo` request nor interest in a `plan`.
 * - Negation: a phrase with a negation word ("no", "nunca", "jamás", "tampoco", "not", "never",
 *   "don't", "doesn't", "didn't", "won't") among the 3 words before it in the same clause does not
 *   count ("no quiero contratar nada", "no me interesa contratar"); it is listed as `negated` in
 *   the factors. "No, quiero contratar" counts: the comma ends the negated clause. Known limit: a
 *   negation that is not about the phrase still cancels it ("no sé cuánto cuesta").
 * - Urgency phrases (`URGENCY_PHRASES`: urgente, hoy, ya mismo, lo antes posible, cuanto antes,
 *   esta semana; urgent, asap, today…) count only in a message that also shows an intent, and
 *   follow the same negation rule ("no es urgente").
 *
 * Score (0–100, integer):
 *
 *     base       = 100 × (1 − Π (1 − confidence of each distinct intent))     noisy-OR
 *     repetition = min(15, 5 × Σ over intents of (messages showing it − 1))
 *     urgency    = 15 when an urgency phrase counted, else 0
 *     score      = round(min(100, base + repetition + urgency))
 *
 * The noisy-OR treats each distinct intent as independent evidence: one `purchase` gives 90, a
 * `pricing` question 80, both 98; a bare mention of plans 50. It only grows as messages are added
 * (the score is monotonic in the conversation). `confidence` is the average confidence of the
 * distinct intents detected (absent when none was). No messages → null; messages without an
 * intent → 0.
 */
import { listJoin, plural, roundTo, toScore } from './math.js';
import type { ComponentScore, IntentScorer, UserMessage } from './types.js';

export const INTENT_NAMES = ['purchase', 'pricing', 'installation', 'upgrade', 'demo', 'plan'] as const;
export type Intent = (typeof INTENT_NAMES)[number];

export interface IntentDefinition {
  intent: Intent;
  /** 0–1: how strongly one such phrase signals intent to buy. */
  confidence: number;
  /** Phrases as written (accents included); matching normalizes them. */
  phrases: readonly string[];
}

/** The intents, their confidences and phrases (the table at the top of this file). */
export const INTENTS: readonly IntentDefinition[] = [
  {
    intent: 'purchase',
    confidence: 0.9,
    phrases: [
      'contratar', 'contratarlo', 'contratarla', 'me interesa contratar', 'comprar', 'comprarlo', 'adquirir', 'adquirirlo',
      'quiero el plan', 'quiero ese plan', 'quiero este plan', 'afiliarme', 'suscribirme',
      'sign up', 'signup', 'buy', 'purchase', 'subscribe',
    ],
  },
  {
    intent: 'pricing',
    confidence: 0.8,
    phrases: [
      'precio', 'precios', 'cuánto cuesta', 'cuánto cuestan', 'cuánto vale', 'cuánto valen', 'cuánto sale', 'cuánto me sale',
      'cotización', 'cotizar', 'tarifa', 'tarifas', 'valor mensual', 'mensualidad', 'costo', 'costos',
      'price', 'prices', 'pricing', 'quote', 'cost', 'costs', 'how much',
    ],
  },
  {
    intent: 'installation',
    confidence: 0.7,
    phrases: ['instalar', 'instalarlo', 'instalación', 'instalan', 'instalen', 'cuándo instalan', 'visita técnica', 'install', 'installation'],
  },
  {
    intent: 'upgrade',
    confidence: 0.7,
    phrases: [
      'mejorar mi plan', 'mejorar el plan', 'subir de plan', 'subir el plan', 'subir mi plan', 'más velocidad', 'más megas',
      'aumentar la velocidad', 'upgrade', 'upgrading', 'more speed',
    ],
  },
  {
    intent: 'demo',
    confidence: 0.6,
    phrases: ['demo', 'demostración', 'prueba', 'prueba gratis', 'prueba gratuita', 'periodo de prueba', 'probar', 'trial', 'free trial', 'test'],
  },
  {
    intent: 'plan',
    confidence: 0.5,
    phrases: [
      'plan', 'planes', 'megas', 'mbps', 'velocidad', 'fibra', 'fibra óptica', 'internet hogar', 'internet para el hogar',
      'internet para la casa', 'paquete', 'paquetes', 'plans', 'package', 'packages', 'fiber',
    ],
  },
];

/**
 * Phrases that contain keywords but are not about buying (a speed test is a support matter, not a
 * `demo` request nor interest in a `plan`): their words are used up and count for nothing.
 */
export const IGNORED_PHRASES: readonly string[] = ['prueba de velocidad', 'test de velocidad', 'speed test'];

export const URGENCY_PHRASES: readonly string[] = [
  'urgente', 'urgencia', 'hoy', 'hoy mismo', 'ya mismo', 'lo antes posible', 'cuanto antes', 'lo más pronto posible',
  'esta semana', 'de inmediato', 'inmediatamente',
  'urgent', 'urgently', 'asap', 'today', 'right away', 'this week', 'as soon as possible',
];

/** Words that cancel a phrase when among the `NEGATION_WINDOW` words before it. */
export const NEGATIONS: readonly string[] = ['no', 'nunca', 'jamás', 'tampoco', 'not', 'never', "don't", "doesn't", "didn't", "won't"];
export const NEGATION_WINDOW = 3;

/** Points added once when an urgency phrase counted. */
export const URGENCY_BOOST = 15;
/** Points per extra message showing an intent already seen, and their cap. */
export const REPETITION_BONUS = { each: 5, cap: 15 } as const;
/** At most this many messages are listed per intent in the factors (the most recent ones). */
export const MAX_LISTED_MESSAGES = 10;

/** One intent found in one message. */
export interface IntentMatch {
  intent: Intent;
  confidence: number;
  /** The phrases that matched, as written in `INTENTS`, in order of appearance, without repeats. */
  matched: string[];
}

/** What the classifier finds in one message. */
export interface MessageAnalysis {
  /** In `INTENTS` order. */
  intents: IntentMatch[];
  /** Urgency phrases (whether or not the message shows an intent). */
  urgency: string[];
  /** Phrases cancelled by a negation. */
  negated: Array<{ intent: Intent | 'urgency'; phrase: string }>;
}

/** Lowercase, accents stripped, apostrophes dropped. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’‘`´]/g, '');
}

function words(fragment: string): string[] {
  return fragment.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** The clauses of `text`, each as its normalized words. */
export function tokenize(text: string): string[][] {
  return fold(text)
    .split(/[.,;:!?¿¡()[\]{}\n\r…]+/u)
    .map(words)
    .filter((clause) => clause.length > 0);
}

interface Pattern {
  display: string;
  tokens: string[];
  ignore: boolean;
}

/** Longest first, so the longest phrase at a position wins. */
function patterns(phrases: readonly string[]): Pattern[] {
  const all = [
    ...phrases.map((display) => ({ display, tokens: words(fold(display)), ignore: false })),
    ...IGNORED_PHRASES.map((display) => ({ display, tokens: words(fold(display)), ignore: true })),
  ];
  return all.sort((a, b) => b.tokens.length - a.tokens.length);
}

const INTENT_PATTERNS = INTENTS.map((def) => ({ def, patterns: patterns(def.phrases) }));
const URGENCY_PATTERNS = patterns(URGENCY_PHRASES);
const NEGATION_WORDS = new Set(NEGATIONS.map((n) => fold(n)));

function startsWith(clause: readonly string[], at: number, tokens: readonly string[]): boolean {
  if (at + tokens.length > clause.length) return false;
  return tokens.every((token, k) => clause[at + k] === token);
}

function negatedAt(clause: readonly string[], at: number): boolean {
  return clause.slice(Math.max(0, at - NEGATION_WINDOW), at).some((w) => NEGATION_WORDS.has(w));
}

/** The phrases of `list` found in `clauses`: counted ones and negated ones, each without repeats. */
function scan(clauses: readonly string[][], list: readonly Pattern[]): { found: string[]; negated: string[] } {
  const found = new Set<string>();
  const negated = new Set<string>();
  for (const clause of clauses) {
    let at = 0;
    while (at < clause.length) {
      const hit = list.find((p) => startsWith(clause, at, p.tokens));
      if (!hit) {
        at += 1;
        continue;
      }
      if (!hit.ignore) (negatedAt(clause, at) ? negated : found).add(hit.display);
      at += hit.tokens.length;
    }
  }
  return { found: [...found], negated: [...negated] };
}

/** Intents, urgency and negated phrases of one message. */
export function analyzeMessage(text: string): MessageAnalysis {
  const clauses = tokenize(text);
  const analysis: MessageAnalysis = { intents: [], urgency: [], negated: [] };
  for (const { def, patterns: list } of INTENT_PATTERNS) {
    const { found, negated } = scan(clauses, list);
    if (found.length > 0) analysis.intents.push({ intent: def.intent, confidence: def.confidence, matched: found });
    for (const phrase of negated) analysis.negated.push({ intent: def.intent, phrase });
  }
  const urgency = scan(clauses, URGENCY_PATTERNS);
  analysis.urgency = urgency.found;
  for (const phrase of urgency.negated) analysis.negated.push({ intent: 'urgency', phrase });
  return analysis;
}

/** The intents of one message (in `INTENTS` order; empty when none). */
export function detectIntents(text: string): IntentMatch[] {
  return analyzeMessage(text).intents;
}

interface IntentTally {
  confidence: number;
  matched: Set<string>;
  messages: Array<{ id?: string; at: string | null }>;
}

function messageRef(message: UserMessage): { id?: string; at: string | null } {
  const at = Number.isNaN(message.at.getTime()) ? null : message.at.toISOString();
  return message.id === undefined ? { at } : { id: message.id, at };
}

/** The ai_intent score of a conversation (messages oldest first), or null when there is none. */
export function scoreIntent(messages: readonly UserMessage[]): ComponentScore | null {
  if (messages.length === 0) return null;
  const tallies = new Map<Intent, IntentTally>();
  const urgency = new Set<string>();
  const negated = new Map<string, { intent: Intent | 'urgency'; phrase: string }>();
  for (const message of messages) {
    const analysis = analyzeMessage(message.text);
    for (const match of analysis.intents) {
      const tally = tallies.get(match.intent) ?? { confidence: match.confidence, matched: new Set<string>(), messages: [] };
      for (const phrase of match.matched) tally.matched.add(phrase);
      tally.messages.push(messageRef(message));
      tallies.set(match.intent, tally);
    }
    if (analysis.intents.length > 0) for (const phrase of analysis.urgency) urgency.add(phrase);
    for (const n of analysis.negated) negated.set(`${n.intent}:${n.phrase}`, n);
  }

  const intents = INTENT_NAMES.flatMap((intent) => {
    const tally = tallies.get(intent);
    return tally ? [{ intent, ...tally }] : [];
  });
  const n = messages.length;
  if (intents.length === 0) {
    const cancelled = [...negated.values()].map((x) => `"${x.phrase}"`);
    return {
      type: 'ai_intent',
      score: 0,
      reason: `No purchase intent in ${plural(n, 'message')}${cancelled.length > 0 ? ` (negated: ${cancelled.join(', ')})` : ''}`,
      factors: {
        intent_count: 0,
        messages_analyzed: n,
        intents: [],
        urgency: { matched: [], boost: 0 },
        negated: [...negated.values()],
      },
    };
  }

  const base = 100 * (1 - intents.reduce((product, i) => product * (1 - i.confidence), 1));
  const repeats = intents.reduce((sum, i) => sum + i.messages.length - 1, 0);
  const repetition = Math.min(REPETITION_BONUS.cap, REPETITION_BONUS.each * repeats);
  const boost = urgency.size > 0 ? URGENCY_BOOST : 0;
  const confidence = roundTo(intents.reduce((sum, i) => sum + i.confidence, 0) / intents.length, 2);

  const found = intents.map((i) => `${i.intent} in ${i.messages.length}`);
  let reason = `Analyzed ${plural(n, 'message')}: ${listJoin(found)}; average confidence ${Math.round(confidence * 100)}%`;
  if (repetition > 0) reason += `; repeated +${repetition}`;
  if (boost > 0) reason += `; urgency (${[...urgency].map((u) => `"${u}"`).join(', ')}) +${boost}`;

  return {
    type: 'ai_intent',
    score: toScore(base + repetition + boost),
    confidence,
    reason,
    factors: {
      intent_count: intents.length,
      messages_analyzed: n,
      intents: intents.map((i) => ({
        intent: i.intent,
        confidence: i.confidence,
        matched: [...i.matched],
        message_count: i.messages.length,
        messages: i.messages.slice(-MAX_LISTED_MESSAGES),
      })),
      base: roundTo(base, 2),
      repetition_bonus: repetition,
      urgency: { matched: [...urgency], boost },
      negated: [...negated.values()],
    },
  };
}

/** The built-in IntentScorer: the keyword and phrase classifier above. */
export const keywordIntentScorer: IntentScorer = {
  name: 'keywords-v1',
  score: scoreIntent,
};
