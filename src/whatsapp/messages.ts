import { WHATSAPP_LIMITS as L, MessageLimitError, checkOptionalText, checkRequired, checkText } from './limits.js';
import { outboundEnvelope } from './outbound-envelope.js';
import type {
  CommonSendOptions,
  MarkReadRequest,
  MediaSource,
  OutboundMedia,
  OutboundMediaKind,
  OutboundMessage,
  TemplateComponent,
  TemplateParameter,
} from './outbound-types.js';

export { buttonsMessage, listMessage } from './interactive-messages.js';
export type { ButtonsMessageInput, ListMessageInput } from './interactive-messages.js';

/** Options of {@link textMessage}. */
export interface TextMessageOptions extends CommonSendOptions {
  /** Let WhatsApp render a preview of the first URL in the body. Default false. */
  previewUrl?: boolean;
}

/**
 * A text message (`text.body` ≤ 4096 characters).
 *
 * @throws {MessageLimitError} for an empty or too long body or a `to` that is not a wa_id.
 * @example textMessage('573001234567', '¡Hola!', { replyTo: inbound.wamid })
 */
export function textMessage(to: string, body: string, options: TextMessageOptions = {}): OutboundMessage {
  return {
    ...outboundEnvelope(to, options),
    type: 'text',
    text: { preview_url: options.previewUrl ?? false, body: checkText('body', body, L.textBody) },
  };
}

/** A template component as accepted by {@link templateMessage}: `index` may be a number. */
export type TemplateComponentInput =
  | Extract<TemplateComponent, { type: 'header' | 'body' }>
  | (Omit<Extract<TemplateComponent, { type: 'button' }>, 'index'> & { index: string | number });

/** Input of {@link templateMessage}. */
export interface TemplateMessageInput extends CommonSendOptions {
  /** Approved template name, e.g. `order_shipped`. */
  name: string;
  /** Language code the template was approved in, e.g. `es` or `es_MX`. */
  language: string;
  components?: readonly TemplateComponentInput[];
}

function checkParameter(field: string, parameter: TemplateParameter): TemplateParameter {
  // Meta rejects empty variable values (131008); catching them here names the component.
  if (parameter.type === 'text') checkRequired(`${field}.text`, parameter.text);
  if (parameter.type === 'payload') checkRequired(`${field}.payload`, parameter.payload);
  return parameter;
}

/**
 * A template message: the only kind allowed outside the 24-hour customer-service window.
 *
 * @throws {MessageLimitError} for an empty name/language or an empty text/payload parameter.
 */
export function templateMessage(to: string, input: TemplateMessageInput): OutboundMessage {
  const envelope = outboundEnvelope(to, input);
  const name = checkText('name', input.name, L.templateName);
  const code = checkRequired('language', input.language);
  const components = input.components?.map((component, c): TemplateComponent => {
    const parameters = component.parameters.map((p, i) => checkParameter(`components[${c}].parameters[${i}]`, p));
    return component.type === 'button'
      ? { ...component, index: String(component.index), parameters }
      : { ...component, parameters };
  });
  return {
    ...envelope,
    type: 'template',
    template: components === undefined ? { name, language: { code } } : { name, language: { code }, components },
  };
}

/** Options of {@link mediaMessage}. */
export interface MediaMessageOptions extends CommonSendOptions {
  /** Image, video and document only (≤ 1024 chars); audio has no caption. */
  caption?: string;
  /** Document only: the file name shown to the user (sets the icon/extension). */
  filename?: string;
}

function checkSource(source: MediaSource): MediaSource {
  if ('id' in source) return { id: checkRequired('source.id', source.id) };
  let url: URL;
  try {
    url = new URL(source.link);
  } catch {
    throw new MessageLimitError('source.link', 'format', 'must be an absolute URL');
  }
  // Meta fetches the link itself from the public internet; anything but http(s) can never work.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MessageLimitError('source.link', 'format', 'must be an http(s) URL');
  }
  return { link: source.link };
}

/**
 * A media message by uploaded media id or public link.
 *
 * @throws {MessageLimitError} for a caption on audio, a filename on anything but a document, a caption
 *   over 1024 chars, or an invalid link/id.
 */
export function mediaMessage(
  to: string,
  kind: OutboundMediaKind,
  source: MediaSource,
  options: MediaMessageOptions = {},
): OutboundMessage {
  const envelope = outboundEnvelope(to, options);
  if (kind === 'audio' && options.caption !== undefined) {
    throw new MessageLimitError('caption', 'not_allowed', 'audio messages cannot have a caption');
  }
  if (kind !== 'document' && options.filename !== undefined) {
    throw new MessageLimitError('filename', 'not_allowed', 'only documents have a filename');
  }
  const media: OutboundMedia = { ...checkSource(source) };
  const caption = checkOptionalText('caption', options.caption, L.caption);
  if (caption !== undefined) media.caption = caption;
  if (options.filename !== undefined) media.filename = checkRequired('filename', options.filename);
  // The computed key is why TypeScript cannot see that `{ type: kind, [kind]: media }` matches one member.
  return { ...envelope, type: kind, [kind]: media } as OutboundMessage;
}

/**
 * Marks an inbound message (and all earlier ones) as read; with `typing`, also shows the typing
 * indicator until the next reply or for 25 s.
 */
export function markReadMessage(wamid: string, options: { typing?: boolean } = {}): MarkReadRequest {
  const body: MarkReadRequest = { messaging_product: 'whatsapp', status: 'read', message_id: checkRequired('wamid', wamid) };
  if (options.typing) body.typing_indicator = { type: 'text' };
  return body;
}

/**
 * A one-line description of an outbound message for the conversation log:
 * the text itself, `[buttons] body`, `[list] body`, `[template] name`, `[image] caption`, …
 */
export function describeOutbound(message: OutboundMessage): string {
  switch (message.type) {
    case 'text':
      return message.text.body;
    case 'interactive':
      return `[${message.interactive.type === 'button' ? 'buttons' : 'list'}] ${message.interactive.body.text}`;
    case 'template':
      return `[template] ${message.template.name}`;
    case 'image':
      return labelled('image', message.image.caption);
    case 'video':
      return labelled('video', message.video.caption);
    case 'audio':
      return '[audio]';
    case 'document':
      return labelled('document', message.document.caption ?? message.document.filename);
  }
}

function labelled(kind: string, text: string | undefined): string {
  return text === undefined ? `[${kind}]` : `[${kind}] ${text}`;
}
