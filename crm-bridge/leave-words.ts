import { wordsOf } from '../bot/text-input.js';
import type { InboundEvent } from '../src/whatsapp/webhook-events.js';

/** Reply ids of the "leave the agent?" buttons. */
export const LEAVE_YES_ID = 'handover.leave.yes';
export const LEAVE_NO_ID = 'handover.leave.no';

const LEAVE_WORDS = new Set(['salir', 'menu', 'inicio']);
const YES = new Set(['si', 'sí', 'dale', 'ok', 'terminar']);
const NO = new Set(['no', 'seguir']);

function textOf(event: InboundEvent): string | undefined {
  return event.type === 'text' ? event.text : undefined;
}

/**
 * Whether the user asks to leave the agent: "salir" / "menú" / "inicio" as (nearly) the whole
 * message. A longer sentence that merely contains the word ("el menú del módem no abre") is a
 * message for the agent, not a command.
 */
export function isLeaveRequest(event: InboundEvent): boolean {
  const text = textOf(event);
  if (text === undefined) return false;
  const words = wordsOf(text);
  return words.length > 0 && words.length <= 2 && words.some((w) => LEAVE_WORDS.has(w));
}

/** The answer to the leave question: a tapped button, or a typed "sí"/"no". */
export function isLeaveConfirmation(event: InboundEvent): 'yes' | 'no' | undefined {
  if (event.type === 'button_reply' || event.type === 'list_reply') {
    if (event.replyId === LEAVE_YES_ID) return 'yes';
    if (event.replyId === LEAVE_NO_ID) return 'no';
    return undefined;
  }
  const text = textOf(event);
  if (text === undefined) return undefined;
  const words = wordsOf(text);
  if (words.length === 0 || words.length > 3) return undefined;
  if (words.some((w) => NO.has(w))) return 'no';
  if (words.some((w) => YES.has(w))) return 'yes';
  return undefined;
}
