import { decodeReplyId, MAIN_OPTIONS, type MenuName } from './reply-ids.js';
import { SUPPORT_TOPICS, type Customer, type SupportTopic } from './snapshot.js';
import { findKeyword, isCourtesy, parseDocument, parseName, readYesNo, typedNumber, wordsOf } from './text-input.js';
import { MACHINE_VERSION } from './version.js';

/** WhatsApp message types the bot cannot read (the lane adapter maps Graph types onto these). */
export type MediaType = 'image' | 'audio' | 'video' | 'sticker' | 'document' | 'location' | 'contacts' | 'reaction' | 'unsupported';

/**
 * The bot's input, already parsed from the webhook by the lane adapter. `reply` is an interactive
 * button/list reply id or a template quick-reply payload (with its visible title when known).
 */
export type BotInput =
  | { kind: 'text'; text: string }
  | { kind: 'reply'; id: string; title?: string }
  | { kind: 'media'; mediaType: MediaType };

/**
 * The machine's events. Results of I/O are attached before `step` (the CRM lookup outcome is
 * one event per outcome), so guards only ever read data that is already here.
 */
export type BotEvent =
  | { type: 'MENU' }
  /** Small talk ("hola", "gracias"): shown the menu, but unlike MENU it does not end a handover. */
  | { type: 'GREETING' }
  | { type: 'EXIT' }
  | { type: 'ACCOUNT' }
  | { type: 'SUPPORT' }
  | { type: 'AGENT' }
  | { type: 'PLANS' }
  | { type: 'SUPPORT_TOPIC'; topic: SupportTopic }
  /** "Sí"/"No" to the question on screen ("¿Se solucionó?" or a qualification question). */
  | { type: 'YES' }
  | { type: 'NO' }
  | { type: 'PLAN'; planId: string }
  | { type: 'NAME'; name: string }
  | { type: 'DOCUMENT_FOUND'; customer: Customer }
  | { type: 'DOCUMENT_NOT_FOUND'; attemptsLeft: number }
  | { type: 'DOCUMENT_LOCKED'; until: string }
  | { type: 'LOOKUP_UNAVAILABLE' }
  | { type: 'UNKNOWN' }
  | { type: 'MEDIA'; mediaType: MediaType }
  | { type: 'STALE' }
  | { type: 'IGNORE' }
  | { type: 'HANDOVER_ENDED' }
  | { type: 'HANDOVER_FAILED' }
  | { type: 'LEAD_FAILED' };

export type BotEventType = BotEvent['type'];

/** Events produced by I/O in the runner rather than by classifying the user's input. */
type IoEvent = Extract<BotEvent, { type: 'DOCUMENT_FOUND' | 'DOCUMENT_NOT_FOUND' | 'DOCUMENT_LOCKED' | 'LOOKUP_UNAVAILABLE' | 'HANDOVER_ENDED' | 'HANDOVER_FAILED' | 'LEAD_FAILED' }>;

/** What {@link classifyInput} returns: a document still has to be checked at the CRM. */
export type ClassifiedInput = Exclude<BotEvent, IoEvent> | { type: 'DOCUMENT_ENTERED'; document: string };

/** What the current state shows and expects, which decides how input is read. */
export interface InputView {
  /** The menu whose taps (and typed numbers/words) the current prompt offers. */
  menu?: MenuName;
  /** Free text the current state is waiting for. */
  expects?: 'document' | 'name';
  /** Plan ids of the catalog, in list order (typed numbers in the plans list). */
  planIds: readonly string[];
}

const MAIN_WORDS: Record<(typeof MAIN_OPTIONS)[number], readonly string[]> = {
  account: ['servicio', 'factura', 'saldo', 'cuenta'],
  support: ['soporte', 'tecnico'],
  agent: [],
  plans: ['plan', 'planes', 'promocion', 'promociones'],
};

/**
 * Turns user input into a machine event (pure). Keywords of the contract win everywhere
 * ("asesor"/"agente"/"humano" → AGENT, "menu"/"menú"/"inicio" → MENU, "salir" → EXIT); then
 * the text the state expects; then the current menu's numbers and words; then small talk
 * ("hola", "gracias") → GREETING; anything else is UNKNOWN.
 *
 * Stale taps: main-menu ids (`menu.*`) and `nav.menu` are honoured from any state, because the
 * main menu is always a valid place to go (and the contract allows them unversioned, e.g. from a
 * template quick reply). Any other id must carry the current machine version and belong to the
 * menu the current state shows; otherwise it is STALE and the current prompt is shown again.
 */
export function classifyInput(input: BotInput, view: InputView): ClassifiedInput {
  if (input.kind === 'media') {
    // A reaction acknowledges a message; answering it with a prompt would be noise.
    return input.mediaType === 'reaction' ? { type: 'IGNORE' } : { type: 'MEDIA', mediaType: input.mediaType };
  }
  if (input.kind === 'reply') return classifyReply(input.id, input.title, view);
  return classifyText(input.text, view);
}

function classifyReply(id: string, title: string | undefined, view: InputView): ClassifiedInput {
  const reply = decodeReplyId(id);
  // Not one of our ids (e.g. a campaign template's quick reply): read its visible title instead.
  if (!reply) return title ? classifyText(title, view) : { type: 'STALE' };
  const global = reply.menu === 'menu' || reply.menu === 'nav';
  const current = reply.version === MACHINE_VERSION || (reply.version === undefined && global);
  if (!current || (!global && reply.menu !== view.menu)) return { type: 'STALE' };
  return choiceEvent(reply.menu, reply.option, view) ?? { type: 'STALE' };
}

function classifyText(text: string, view: InputView): ClassifiedInput {
  const words = wordsOf(text);
  const keyword = findKeyword(words);
  if (keyword === 'agent') return { type: 'AGENT' };
  if (keyword === 'menu') return { type: 'MENU' };
  if (keyword === 'exit') return { type: 'EXIT' };
  if (view.expects === 'document') {
    const document = parseDocument(text);
    return document ? { type: 'DOCUMENT_ENTERED', document } : { type: 'UNKNOWN' };
  }
  if (view.expects === 'name') {
    // "hola" or "gracias" is small talk, not a name to store on a lead.
    if (isCourtesy(words)) return { type: 'UNKNOWN' };
    const name = parseName(text);
    return name ? { type: 'NAME', name } : { type: 'UNKNOWN' };
  }
  const option = view.menu ? typedChoice(view.menu, words, view, text) : undefined;
  const chosen = option && view.menu ? choiceEvent(view.menu, option, view) : undefined;
  // "hola" or "gracias" from someone mid-conversation deserves the menu, not "No te entendí".
  return chosen ?? (isCourtesy(words) ? { type: 'GREETING' } : { type: 'UNKNOWN' });
}

/** The event a tap on `menu.option` stands for, or undefined when the option does not exist. */
function choiceEvent(menu: MenuName, option: string, view: InputView): ClassifiedInput | undefined {
  switch (menu) {
    case 'menu':
      return option === 'account' ? { type: 'ACCOUNT' }
        : option === 'support' ? { type: 'SUPPORT' }
        : option === 'agent' ? { type: 'AGENT' }
        : option === 'plans' ? { type: 'PLANS' }
        : undefined;
    case 'nav':
      return option === 'menu' ? { type: 'MENU' } : undefined;
    case 'support':
      return (SUPPORT_TOPICS as readonly string[]).includes(option) ? { type: 'SUPPORT_TOPIC', topic: option as SupportTopic } : undefined;
    case 'confirm':
    case 'budget':
    case 'timeline':
    case 'decider':
      return option === 'yes' ? { type: 'YES' } : option === 'no' ? { type: 'NO' } : undefined;
    case 'plan':
      return view.planIds.includes(option) ? { type: 'PLAN', planId: option } : undefined;
  }
}

/** The option a typed text picks in `menu` (its number or, where it is unambiguous, a word). */
function typedChoice(menu: MenuName, words: readonly string[], view: InputView, text: string): string | undefined {
  const n = typedNumber(words);
  const has = (...candidates: string[]): boolean => candidates.some((c) => words.includes(c));
  switch (menu) {
    case 'menu': {
      if (n !== undefined) return MAIN_OPTIONS[n - 1];
      const matches = MAIN_OPTIONS.filter((o) => MAIN_WORDS[o].some((w) => words.includes(w)));
      return matches.length === 1 ? matches[0] : undefined;
    }
    case 'support':
      if (n !== undefined) return SUPPORT_TOPICS[n - 1];
      if (has('lento', 'lenta', 'lentitud')) return 'slow';
      if (has('sin', 'caido', 'caida') || (has('no') && has('internet'))) return 'no_internet';
      return has('otro', 'otra') ? 'other' : undefined;
    case 'confirm':
      // "no funciona" is a no even though it says "funciona": a no wins.
      if (has('no', 'sigue', 'nada')) return 'no';
      return has('si', 'ya', 'listo', 'funciona', 'solucionado', 'soluciono') ? 'yes' : undefined;
    case 'budget':
    case 'timeline':
    case 'decider':
      // Qualification answers: "sí"/"claro"/"1"/👍 or "no"/"nop"/"2"/👎; both, or "no sé", is no answer.
      return readYesNo(text);
    case 'plan':
      return n !== undefined ? view.planIds[n - 1] : view.planIds.find((id) => words.join('-') === id);
    case 'nav':
      return undefined;
  }
}
