/**
 * What a simulated phone sends: the `messages[]` item of Meta's webhook for each kind of input.
 * A tap carries `context` pointing at the business message that showed the option, and its type
 * (button_reply, list_reply, or a template's quick-reply `button`) follows from that message, as
 * on a real phone: the user can only tap what the business showed them.
 */
import { isObject, type Json } from './checks.js';
import type { SimMessage, UserInput } from './types.js';
import type { InboundMessageItem } from './webhook-payloads.js';
import { fakeSha256, mediaId } from './wamid.js';

export interface InboundContext {
  waId: string;
  wamid: string;
  timestamp: string;
  /** The business number as users see it: replies name it in `context.from`. */
  displayPhoneNumber: string;
  /** The chat, oldest first: the tapped option is looked up in what the business sent. */
  history: readonly SimMessage[];
}

/** Thrown for a tap on an option no business message in the chat showed. */
export class UnknownOptionError extends Error {
  constructor(waId: string, id: string) {
    super(`No message the business sent to ${waId} shows an option with id "${id}"`);
    this.name = 'UnknownOptionError';
  }
}

export function inboundMessage(input: UserInput, ctx: InboundContext): InboundMessageItem {
  const head = { from: ctx.waId, id: ctx.wamid, timestamp: ctx.timestamp };
  switch (input.kind) {
    case 'text':
      return { ...head, type: 'text', text: { body: input.text } };
    case 'reply':
      return replyMessage(input, ctx);
    case 'image':
      return { ...head, type: 'image', image: { mime_type: 'image/jpeg', sha256: fakeSha256(), id: mediaId() } };
    case 'document':
      return {
        ...head,
        type: 'document',
        document: { filename: 'documento.pdf', mime_type: 'application/pdf', sha256: fakeSha256(), id: mediaId() },
      };
    case 'audio':
      return { ...head, type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: fakeSha256(), id: mediaId(), voice: true } };
    case 'location':
      return {
        ...head,
        type: 'location',
        location: { address: 'Cl. 52 #52-43, La Candelaria, Medellín, Antioquia', latitude: 6.2502, longitude: -75.5681, name: 'Parque Berrío' },
      };
  }
}

type Option = { kind: 'button' | 'row'; title: string; description?: string } | { kind: 'quick_reply' };
type Found = Option & { wamid: string };

function replyMessage(input: Extract<UserInput, { kind: 'reply' }>, ctx: InboundContext): InboundMessageItem {
  const found = findOption(ctx.history, input.id);
  if (!found) throw new UnknownOptionError(ctx.waId, input.id);
  // Meta puts `context` first in a reply (inbound-button-reply.json).
  const head = { context: { from: ctx.displayPhoneNumber, id: found.wamid }, from: ctx.waId, id: ctx.wamid, timestamp: ctx.timestamp };
  if (found.kind === 'quick_reply') {
    // A template's quick reply has no id: Meta sends the payload and the button's text.
    return { ...head, type: 'button', button: { payload: input.id, text: input.title } };
  }
  if (found.kind === 'button') {
    return { ...head, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: input.id, title: found.title } } };
  }
  const listReply = { id: input.id, title: found.title, ...(found.description === undefined ? {} : { description: found.description }) };
  return { ...head, type: 'interactive', interactive: { type: 'list_reply', list_reply: listReply } };
}

/** The newest business message showing option `id`; the title sent is the one shown, as on a phone. */
function findOption(history: readonly SimMessage[], id: string): Found | undefined {
  for (let i = history.length - 1; i >= 0; i -= 1) {
    const message = history[i];
    if (!message || message.direction !== 'out' || !isObject(message.body)) continue;
    const found = optionIn(message.body, id);
    if (found) return { ...found, wamid: message.wamid };
  }
  return undefined;
}

function optionIn(body: Json, id: string): Option | undefined {
  const interactive = body['interactive'];
  if (body['type'] === 'interactive' && isObject(interactive) && isObject(interactive['action'])) {
    const action = interactive['action'];
    if (interactive['type'] === 'button' && Array.isArray(action['buttons'])) {
      for (const button of action['buttons'] as unknown[]) {
        const reply = isObject(button) ? button['reply'] : undefined;
        if (isObject(reply) && reply['id'] === id) return { kind: 'button', title: String(reply['title']) };
      }
    }
    if (interactive['type'] === 'list' && Array.isArray(action['sections'])) {
      for (const section of action['sections'] as unknown[]) {
        const rows = isObject(section) && Array.isArray(section['rows']) ? (section['rows'] as unknown[]) : [];
        for (const row of rows) {
          if (!isObject(row) || row['id'] !== id) continue;
          const description = typeof row['description'] === 'string' ? row['description'] : undefined;
          return { kind: 'row', title: String(row['title']), ...(description === undefined ? {} : { description }) };
        }
      }
    }
  }
  const template = body['template'];
  if (body['type'] === 'template' && isObject(template) && Array.isArray(template['components'])) {
    for (const component of template['components'] as unknown[]) {
      if (!isObject(component) || component['sub_type'] !== 'quick_reply' || !Array.isArray(component['parameters'])) continue;
      const hit = (component['parameters'] as unknown[]).some((p) => isObject(p) && p['type'] === 'payload' && p['payload'] === id);
      if (hit) return { kind: 'quick_reply' };
    }
  }
  return undefined;
}
