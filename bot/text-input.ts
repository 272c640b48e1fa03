/**
 * Helpers that read what the user typed: accent- and case-insensitive words, the contract's
 * keywords, and the shape checks that run before any CRM call.
 */

/** Lower case, accents removed (ñ becomes n), punctuation turned into spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The whole words of a text, normalized. */
export function wordsOf(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Keyword sets of the bot menu contract (docs/bot.md, "Words anywhere"), already normalized. */
export const KEYWORDS = {
  agent: ['asesor', 'agente', 'humano'],
  menu: ['menu', 'inicio'],
  exit: ['salir'],
} as const;

export type Keyword = keyof typeof KEYWORDS;

/**
 * The contract keyword a text contains as a whole word, if any. When several are present the
 * strongest wish wins: a person, then the menu ("salir al menú" means the menu), then leaving.
 */
export function findKeyword(words: readonly string[]): Keyword | undefined {
  for (const keyword of ['agent', 'menu', 'exit'] as const) {
    if (words.some((w) => (KEYWORDS[keyword] as readonly string[]).includes(w))) return keyword;
  }
  return undefined;
}

/** Greetings and thanks; a message made only of these is small talk, answered with the menu. */
const COURTESY = new Set(['hola', 'ola', 'buenas', 'buenos', 'buen', 'dia', 'dias', 'tardes', 'noches', 'saludos', 'gracias', 'muchas', 'mil', 'que', 'tal', 'como', 'estas', 'esta']);

/** True for "hola", "buenas tardes", "muchas gracias"… (only courtesy words). */
export function isCourtesy(words: readonly string[]): boolean {
  return words.length > 0 && words.every((w) => COURTESY.has(w));
}

/** Words that may surround a typed option number ("opción 2", "la 2"). */
const NUMBER_FILLERS = new Set(['opcion', 'la', 'el', 'numero', 'no']);

/** The option number a text consists of ("2", "2.", "opción 2"), if that is all it says. */
export function typedNumber(words: readonly string[]): number | undefined {
  const digits = words.filter((w) => /^\d{1,2}$/.test(w));
  const rest = words.filter((w) => !/^\d+$/.test(w) && !NUMBER_FILLERS.has(w));
  return digits.length === 1 && rest.length === 0 ? Number(digits[0]) : undefined;
}

/** A yes/no answer as typed. */
export type YesNo = 'yes' | 'no';

/** Words that say yes ("sí", "claro", "dale"…), normalized; "siii" counts too. */
const YES_WORDS = new Set(['si', 's', 'sip', 'yes', 'claro', 'dale', 'listo', 'ok', 'okay', 'okey', 'vale', 'obvio', 'seguro', 'supuesto', 'correcto', 'exacto', 'afirmativo']);
/** Words that say no ("no", "nop", "negativo"…), normalized; "noo" counts too. */
const NO_WORDS = new Set(['no', 'n', 'nop', 'nope', 'nel', 'negativo', 'tampoco', 'nunca']);
/** Phrases that are not an answer yet ("no sé", "tal vez"): the question is asked again. */
const UNSURE = ['no se', 'no estoy seguro', 'no estoy segura', 'tal vez', 'talvez', 'quiza', 'quizas', 'depende', 'ni idea'];

/**
 * The answer to a yes/no question (the qualification questions of option 4): "1"/"2" as the
 * buttons' order, a thumbs up or down, or the words. Unlike "¿Se solucionó?", where a no wins,
 * an answer that holds both ("sí, pero todavía no") or a doubt ("no sé") is no answer: these
 * answers are stored on a lead, so the bot asks again rather than guess.
 */
export function readYesNo(text: string): YesNo | undefined {
  const thumbsUp = /\u{1F44D}/u.test(text);
  const thumbsDown = /\u{1F44E}/u.test(text);
  const words = wordsOf(text);
  const phrase = ` ${words.join(' ')} `;
  if (UNSURE.some((p) => phrase.includes(` ${p} `))) return undefined;
  const n = typedNumber(words);
  if (n !== undefined) return n === 1 ? 'yes' : n === 2 ? 'no' : undefined;
  const yes = thumbsUp || words.some((w) => YES_WORDS.has(w) || /^s+i+$/.test(w));
  const no = thumbsDown || words.some((w) => NO_WORDS.has(w) || /^n+o+$/.test(w));
  return yes === no ? undefined : yes ? 'yes' : 'no';
}

/** Colombian documents (CC, CE, NIT) are 5–12 digits once dots, spaces and dashes are removed. */
export const DOCUMENT_DIGITS = { min: 5, max: 12 } as const;

/**
 * The digits of a document number, or undefined when the text cannot be one (letters, too
 * short or too long). Checked before the CRM is called, so junk never costs a lookup.
 */
export function parseDocument(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^[\d.\s-]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= DOCUMENT_DIGITS.min && digits.length <= DOCUMENT_DIGITS.max ? digits : undefined;
}

/** Longest name kept for a lead; longer text is not a name. */
export const NAME_MAX_LENGTH = 60;

/** A person's name as typed ("ana maría" stays as typed, spaces collapsed), or undefined. */
export function parseName(text: string): string | undefined {
  // "Me llamo Ana" / "mi nombre es Ana" / "soy Ana" → "Ana".
  const name = text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/^(me llamo|mi nombre es|soy)\s+/i, '');
  if ([...name].length < 2 || [...name].length > NAME_MAX_LENGTH) return undefined;
  return /^\p{L}[\p{L}\p{M} '.-]*$/u.test(name) ? name : undefined;
}
