/**
 * Meta's rules for interactive reply-button and list messages (docs/whatsapp-cloud-api.md,
 * "Message limits"): counts, lengths in code points, unique ids and titles.
 */
import { at, list, object, onlyKeys, oneOf, optionalText, text, unique, type Json } from './checks.js';
import { invalidValue } from './graph-errors.js';
import { validateMediaObject } from './validate-media.js';

const LIMITS = {
  buttonsBody: 1024,
  listBody: 4096,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonId: 256,
  buttonTitle: 20,
  listButton: 20,
  sections: 10,
  rowsTotal: 10,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
} as const;

const P = 'interactive';

/** Validates `interactive` of a send; `interactive.type` decides the rules. */
export function validateInteractive(value: unknown): void {
  const interactive = object(value, P);
  const type = oneOf(interactive, 'type', P, ['button', 'list']);
  onlyKeys(interactive, P, ['type', 'header', 'body', 'footer', 'action']);
  validateHeader(interactive['header'], type);
  const body = object(interactive['body'], at(P, 'body'));
  onlyKeys(body, at(P, 'body'), ['text']);
  text(body, 'text', at(P, 'body'), { max: type === 'button' ? LIMITS.buttonsBody : LIMITS.listBody });
  if (interactive['footer'] !== undefined) {
    const footer = object(interactive['footer'], at(P, 'footer'));
    onlyKeys(footer, at(P, 'footer'), ['text']);
    text(footer, 'text', at(P, 'footer'), { max: LIMITS.footer });
  }
  const action = object(interactive['action'], at(P, 'action'));
  if (type === 'button') validateButtons(action);
  else validateList(action);
}

function validateHeader(value: unknown, type: 'button' | 'list'): void {
  if (value === undefined) return;
  const param = at(P, 'header');
  const header = object(value, param);
  // Reply buttons may carry a media header; lists only a text one.
  const kinds = type === 'button' ? (['text', 'image', 'video', 'document'] as const) : (['text'] as const);
  const kind = oneOf(header, 'type', param, kinds);
  onlyKeys(header, param, ['type', kind]);
  if (kind === 'text') text(header, 'text', param, { max: LIMITS.header });
  else validateMediaObject(header[kind], at(param, kind), { caption: false, filename: kind === 'document' });
}

function validateButtons(action: Json): void {
  const param = at(P, 'action');
  onlyKeys(action, param, ['buttons']);
  const buttons = list(action, 'buttons', param, { min: 1, max: LIMITS.buttons });
  const ids: { value: string; param: string }[] = [];
  const titles: { value: string; param: string }[] = [];
  buttons.forEach((item, i) => {
    const bParam = at(at(param, 'buttons'), i);
    const button = object(item, bParam);
    onlyKeys(button, bParam, ['type', 'reply']);
    oneOf(button, 'type', bParam, ['reply']);
    const rParam = at(bParam, 'reply');
    const reply = object(button['reply'], rParam);
    onlyKeys(reply, rParam, ['id', 'title']);
    ids.push({ value: text(reply, 'id', rParam, { max: LIMITS.buttonId }), param: at(rParam, 'id') });
    titles.push({ value: text(reply, 'title', rParam, { max: LIMITS.buttonTitle }), param: at(rParam, 'title') });
  });
  unique(titles, 'button titles');
  unique(ids, 'button ids');
}

function validateList(action: Json): void {
  const param = at(P, 'action');
  onlyKeys(action, param, ['button', 'sections']);
  text(action, 'button', param, { max: LIMITS.listButton });
  const sections = list(action, 'sections', param, { min: 1, max: LIMITS.sections });
  const ids: { value: string; param: string }[] = [];
  let rowCount = 0;
  sections.forEach((item, s) => {
    const sParam = at(at(param, 'sections'), s);
    const section = object(item, sParam);
    onlyKeys(section, sParam, ['title', 'rows']);
    if (sections.length > 1 && section['title'] === undefined) {
      throw invalidValue(`${at(sParam, 'title')} is required when the list has more than one section.`);
    }
    optionalText(section, 'title', sParam, { max: LIMITS.sectionTitle });
    const rows = list(section, 'rows', sParam, { min: 1, max: LIMITS.rowsTotal });
    rowCount += rows.length;
    rows.forEach((rowItem, r) => {
      const rowParam = at(at(sParam, 'rows'), r);
      const row = object(rowItem, rowParam);
      onlyKeys(row, rowParam, ['id', 'title', 'description']);
      ids.push({ value: text(row, 'id', rowParam, { max: LIMITS.rowId }), param: at(rowParam, 'id') });
      text(row, 'title', rowParam, { max: LIMITS.rowTitle });
      optionalText(row, 'description', rowParam, { max: LIMITS.rowDescription });
    });
  });
  if (rowCount > LIMITS.rowsTotal) {
    throw invalidValue(`${at(param, 'sections')} must have at most ${LIMITS.rowsTotal} rows in total, got ${rowCount}.`);
  }
  unique(ids, 'row ids');
}
