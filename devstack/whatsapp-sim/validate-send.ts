/**
 * The body of `POST /{version}/{phone-number-id}/messages`, checked as Meta checks it: the
 * envelope (`messaging_product`, `recipient_type`, `to`, `context`, `biz_opaque_callback_data`),
 * then the object named by `type`. A mark-as-read request (`status: "read"`) is told apart first.
 */
import { at, isObject, object, onlyKeys, oneOf, optionalBoolean, optionalText, text, type Json } from './checks.js';
import { invalidParameter, invalidValue, requiredParameter } from './graph-errors.js';
import { validateInteractive } from './validate-interactive.js';
import { MEDIA_KINDS, validateContacts, validateLocation, validateMediaMessage, validateReaction, validateTemplate, type MediaKind } from './validate-media.js';

export const MESSAGE_TYPES = ['text', 'interactive', 'template', 'image', 'document', 'audio', 'video', 'sticker', 'location', 'reaction', 'contacts'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type SendRequest =
  | { kind: 'read'; messageId: string; typing: boolean }
  | {
      kind: 'message';
      to: string;
      type: MessageType;
      /** Everything but templates needs the 24 h customer service window. */
      freeForm: boolean;
      bizOpaqueCallbackData?: string;
      body: Json;
    };

const ENVELOPE_KEYS = ['messaging_product', 'recipient_type', 'to', 'type', 'context', 'biz_opaque_callback_data'];
const BIZ_OPAQUE_MAX = 512;

/** Parses and validates a send; throws a {@link GraphError} naming the field for anything Meta would refuse. */
export function validateSend(raw: unknown): SendRequest {
  if (!isObject(raw)) throw invalidParameter('The request body must be a JSON object.');
  if (raw['messaging_product'] === undefined) throw requiredParameter('messaging_product');
  oneOf(raw, 'messaging_product', '', ['whatsapp']);
  if (raw['status'] !== undefined) return validateMarkRead(raw);

  if (raw['recipient_type'] !== undefined) oneOf(raw, 'recipient_type', '', ['individual']);
  const to = text(raw, 'to', '');
  // Puente sends wa_ids: digits only. A `+`, spaces or dashes would mean its normalisation broke.
  if (!/^\d{7,15}$/.test(to)) throw invalidValue(`to must be a phone number of 7 to 15 digits (a wa_id), got "${to}".`);
  const type = raw['type'] === undefined ? 'text' : oneOf(raw, 'type', '', MESSAGE_TYPES);
  onlyKeys(raw, 'message', [...ENVELOPE_KEYS, type]);
  if (raw['context'] !== undefined) {
    const context = object(raw['context'], 'context');
    onlyKeys(context, 'context', ['message_id']);
    text(context, 'message_id', 'context');
  }
  const bizOpaqueCallbackData = optionalText(raw, 'biz_opaque_callback_data', '', { max: BIZ_OPAQUE_MAX });
  validateTypeObject(type, raw[type]);
  return {
    kind: 'message',
    to,
    type,
    freeForm: type !== 'template',
    ...(bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData }),
    body: raw,
  };
}

function validateMarkRead(raw: Json): SendRequest {
  oneOf(raw, 'status', '', ['read']);
  onlyKeys(raw, 'mark-as-read request', ['messaging_product', 'status', 'message_id', 'typing_indicator']);
  const messageId = text(raw, 'message_id', '');
  let typing = false;
  if (raw['typing_indicator'] !== undefined) {
    const indicator = object(raw['typing_indicator'], 'typing_indicator');
    onlyKeys(indicator, 'typing_indicator', ['type']);
    oneOf(indicator, 'type', 'typing_indicator', ['text']);
    typing = true;
  }
  return { kind: 'read', messageId, typing };
}

function validateTypeObject(type: MessageType, value: unknown): void {
  switch (type) {
    case 'text': {
      const textObject = object(value, 'text');
      onlyKeys(textObject, 'text', ['body', 'preview_url']);
      text(textObject, 'body', 'text', { max: 4096 });
      optionalBoolean(textObject, 'preview_url', 'text');
      return;
    }
    case 'interactive':
      return validateInteractive(value);
    case 'template':
      return validateTemplate(value);
    case 'location':
      return validateLocation(value);
    case 'reaction':
      return validateReaction(value);
    case 'contacts':
      return validateContacts(value);
    default:
      if ((MEDIA_KINDS as readonly string[]).includes(type)) return validateMediaMessage(type as MediaKind, value);
      throw requiredParameter(at('', type));
  }
}
