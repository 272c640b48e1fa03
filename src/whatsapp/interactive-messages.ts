import { WHATSAPP_LIMITS as L, MessageLimitError, checkCount, checkOptionalText, checkText, checkUnique } from './limits.js';
import { outboundEnvelope } from './outbound-envelope.js';
import type { CommonSendOptions, InteractiveButtons, InteractiveList, OutboundMessage, TextHeader } from './outbound-types.js';

/** Input of {@link buttonsMessage}. */
export interface ButtonsMessageInput extends CommonSendOptions {
  body: string;
  /** 1–3 reply buttons; titles ≤ 20 chars and unique, ids ≤ 256 chars and unique. */
  buttons: readonly { id: string; title: string }[];
  /** Text header, ≤ 60 chars. */
  header?: string;
  footer?: string;
}

/** Input of {@link listMessage}. */
export interface ListMessageInput extends CommonSendOptions {
  body: string;
  /** Label of the button that opens the list, ≤ 20 chars. */
  button: string;
  /** ≤ 10 sections with ≤ 10 rows in total; section titles are required when there are several. */
  sections: readonly {
    title?: string;
    rows: readonly { id: string; title: string; description?: string }[];
  }[];
  header?: string;
  footer?: string;
}

function decorations(
  header: string | undefined,
  footer: string | undefined,
): { header?: TextHeader; footer?: { text: string } } {
  const out: { header?: TextHeader; footer?: { text: string } } = {};
  const headerText = checkOptionalText('header', header, L.headerText);
  if (headerText !== undefined) out.header = { type: 'text', text: headerText };
  const footerText = checkOptionalText('footer', footer, L.footerText);
  if (footerText !== undefined) out.footer = { text: footerText };
  return out;
}

/**
 * A reply-buttons message (`interactive.type: "button"`).
 *
 * @throws {MessageLimitError} when any of Meta's limits is exceeded.
 * @example
 * buttonsMessage('573001234567', { body: '¿Confirmas?', buttons: [{ id: 'v1:yes', title: 'Sí' }] })
 */
export function buttonsMessage(to: string, input: ButtonsMessageInput): OutboundMessage {
  const envelope = outboundEnvelope(to, input);
  const body = checkText('body', input.body, L.interactiveBody);
  checkCount('buttons', input.buttons.length, 1, L.buttonsPerMessage);
  const buttons = input.buttons.map((b, i) => ({
    type: 'reply' as const,
    reply: { id: checkText(`buttons[${i}].id`, b.id, L.buttonId), title: checkText(`buttons[${i}].title`, b.title, L.buttonTitle) },
  }));
  checkUnique(input.buttons.map((b) => b.title), (i) => `buttons[${i}].title`);
  // Meta only documents unique titles, but a repeated id would make the user's tap ambiguous to us.
  checkUnique(input.buttons.map((b) => b.id), (i) => `buttons[${i}].id`);

  const interactive: InteractiveButtons = {
    type: 'button',
    ...decorations(input.header, input.footer),
    body: { text: body },
    action: { buttons },
  };
  return { ...envelope, type: 'interactive', interactive };
}

/**
 * A list message (`interactive.type: "list"`).
 *
 * @throws {MessageLimitError} when any of Meta's limits is exceeded.
 */
export function listMessage(to: string, input: ListMessageInput): OutboundMessage {
  const envelope = outboundEnvelope(to, input);
  const body = checkText('body', input.body, L.interactiveBody);
  const button = checkText('button', input.button, L.listButtonLabel);
  checkCount('sections', input.sections.length, 1, L.listSections);
  const totalRows = input.sections.reduce((n, s) => n + s.rows.length, 0);
  checkCount('sections[].rows', totalRows, 1, L.listRowsTotal);

  const sections = input.sections.map((section, s) => {
    if (section.title === undefined && input.sections.length > 1) {
      throw new MessageLimitError(`sections[${s}].title`, 'required', 'is required when the list has more than one section');
    }
    checkCount(`sections[${s}].rows`, section.rows.length, 1, L.listRowsTotal);
    const rows = section.rows.map((row, r) => {
      const field = `sections[${s}].rows[${r}]`;
      const out: InteractiveList['action']['sections'][number]['rows'][number] = {
        id: checkText(`${field}.id`, row.id, L.rowId),
        title: checkText(`${field}.title`, row.title, L.rowTitle),
      };
      const description = checkOptionalText(`${field}.description`, row.description, L.rowDescription);
      if (description !== undefined) out.description = description;
      return out;
    });
    const title = checkOptionalText(`sections[${s}].title`, section.title, L.sectionTitle);
    return title === undefined ? { rows } : { title, rows };
  });
  const rowIds = input.sections.flatMap((section, s) => section.rows.map((row, r) => ({ id: row.id, field: `sections[${s}].rows[${r}].id` })));
  checkUnique(rowIds.map((r) => r.id), (i) => rowIds[i]?.field ?? 'sections[].rows[].id');

  const interactive: InteractiveList = {
    type: 'list',
    ...decorations(input.header, input.footer),
    body: { text: body },
    action: { button, sections },
  };
  return { ...envelope, type: 'interactive', interactive };
}
