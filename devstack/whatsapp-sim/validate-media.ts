/**
 * Meta's rules for media, template, location and reaction sends: media by `link` (https) or
 * uploaded `id`, never both; captions ≤ 1024 on image/video/document; audio and stickers have none.
 */
import { at, isObject, list, object, onlyKeys, optionalText, text, httpsLink, type Json } from './checks.js';
import { invalidParameter, invalidValue, missingValue, requiredParameter } from './graph-errors.js';

const CAPTION_MAX = 1024;
const FILENAME_MAX = 240;
const TEMPLATE_NAME_MAX = 512;

export type MediaKind = 'image' | 'document' | 'audio' | 'video' | 'sticker';
export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'document', 'audio', 'video', 'sticker'];

/** The media object of a media message or a media header. */
export function validateMediaObject(value: unknown, param: string, allow: { caption: boolean; filename: boolean }): void {
  const media = object(value, param);
  onlyKeys(media, param, ['link', 'id', ...(allow.caption ? ['caption'] : []), ...(allow.filename ? ['filename'] : [])]);
  const hasLink = media['link'] !== undefined;
  const hasId = media['id'] !== undefined;
  if (hasLink && hasId) throw invalidParameter(`Param ${param} must have either link or id, not both.`);
  if (!hasLink && !hasId) throw requiredParameter(`${at(param, 'link')} or ${at(param, 'id')}`);
  if (hasLink) httpsLink(media, 'link', param);
  else text(media, 'id', param, { max: 64 });
  if (allow.caption) optionalText(media, 'caption', param, { max: CAPTION_MAX });
  if (allow.filename) optionalText(media, 'filename', param, { max: FILENAME_MAX });
}

/** `image`, `document`, `audio`, `video` or `sticker` of a media send. */
export function validateMediaMessage(kind: MediaKind, value: unknown): void {
  const captioned = kind === 'image' || kind === 'video' || kind === 'document';
  validateMediaObject(value, kind, { caption: captioned, filename: kind === 'document' });
}

/**
 * `template`: the simulator knows no approved templates, so any name passes; the name and
 * language are required and text/payload parameters must not be empty (Meta's 131008 otherwise).
 */
export function validateTemplate(value: unknown): void {
  const param = 'template';
  const template = object(value, param);
  onlyKeys(template, param, ['name', 'language', 'components', 'namespace']);
  text(template, 'name', param, { max: TEMPLATE_NAME_MAX });
  const language = object(template['language'], at(param, 'language'));
  onlyKeys(language, at(param, 'language'), ['code', 'policy']);
  text(language, 'code', at(param, 'language'), { max: 15 });
  if (template['components'] === undefined) return;
  const components = list(template, 'components', param, { min: 0, max: 20 });
  components.forEach((item, c) => {
    const cParam = at(at(param, 'components'), c);
    const component = object(item, cParam);
    text(component, 'type', cParam);
    if (component['parameters'] === undefined) return;
    const parameters = list(component, 'parameters', cParam, { min: 0, max: 100 });
    parameters.forEach((p, i) => checkTemplateParameter(p, at(at(cParam, 'parameters'), i)));
  });
}

function checkTemplateParameter(value: unknown, param: string): void {
  const parameter = object(value, param);
  const type = text(parameter, 'type', param);
  if (type !== 'text' && type !== 'payload') return;
  const field = parameter[type];
  if (typeof field !== 'string' || field.trim() === '') {
    throw missingValue(`${at(param, type)} must not be empty.`);
  }
}

/** `location`: numeric coordinates in range, optional name and address. */
export function validateLocation(value: unknown): void {
  const param = 'location';
  const location = object(value, param);
  onlyKeys(location, param, ['latitude', 'longitude', 'name', 'address']);
  coordinate(location, 'latitude', 90);
  coordinate(location, 'longitude', 180);
  optionalText(location, 'name', param, { max: 1000 });
  optionalText(location, 'address', param, { max: 1000 });
}

function coordinate(location: Json, key: string, limit: number): void {
  const value = location[key];
  const param = at('location', key);
  if (value === undefined) throw requiredParameter(param);
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw invalidParameter(`Param ${param} must be a number.`);
  if (Math.abs(number) > limit) throw invalidValue(`${param} must be between -${limit} and ${limit}, got ${number}.`);
}

/** `reaction`: the message reacted to and an emoji (empty removes the reaction). */
export function validateReaction(value: unknown): void {
  const param = 'reaction';
  const reaction = object(value, param);
  onlyKeys(reaction, param, ['message_id', 'emoji']);
  text(reaction, 'message_id', param);
  if (typeof reaction['emoji'] !== 'string') throw requiredParameter(at(param, 'emoji'));
}

/** `contacts`: 1+ cards, each with a formatted name. */
export function validateContacts(value: unknown): void {
  if (!Array.isArray(value)) throw value === undefined ? requiredParameter('contacts') : invalidParameter('Param contacts must be an array.');
  if (value.length === 0) throw invalidValue('contacts must have at least 1 item.');
  value.forEach((card, i) => {
    const param = at('contacts', i);
    if (!isObject(card)) throw invalidParameter(`Param ${param} must be a JSON object.`);
    const name = object(card['name'], at(param, 'name'));
    text(name, 'formatted_name', at(param, 'name'));
  });
}
