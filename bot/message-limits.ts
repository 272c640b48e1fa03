import type { BotMessage } from './effects.js';

/**
 * Meta's limits for the messages the bot renders (docs/whatsapp-cloud-api.md). Lengths are
 * counted in Unicode code points, as Meta counts characters.
 */
export const META_LIMITS = {
  textBody: 4096,
  /** Reply-button and list bodies: 1024 is the safe cap (Meta's list page now says 4096). */
  interactiveBody: 1024,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  sectionTitle: 24,
  rowsTotal: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
} as const;

/** Length in code points (an emoji counts as one, like Meta counts it). */
export function charCount(text: string): number {
  return [...text].length;
}

/**
 * Lists every way `message` breaks Meta's limits, e.g. `buttons[1].title: 23 > 20`; empty when
 * the message can be sent. Used by the machine lint and copy tests.
 */
export function findLimitViolations(message: BotMessage): string[] {
  const problems: string[] = [];
  const check = (field: string, text: string | undefined, max: number, required = false): void => {
    if (text === undefined) {
      if (required) problems.push(`${field}: missing`);
      return;
    }
    const length = charCount(text);
    if (length > max) problems.push(`${field}: ${length} > ${max}`);
    if (required && text.trim() === '') problems.push(`${field}: empty`);
  };
  if (message.kind === 'text') {
    check('body', message.body, META_LIMITS.textBody, true);
    return problems;
  }
  check('body', message.body, META_LIMITS.interactiveBody, true);
  check('header', message.header, META_LIMITS.header);
  check('footer', message.footer, META_LIMITS.footer);
  if (message.kind === 'buttons') {
    if (message.buttons.length === 0 || message.buttons.length > META_LIMITS.buttons) {
      problems.push(`buttons: ${message.buttons.length} not in 1..${META_LIMITS.buttons}`);
    }
    message.buttons.forEach((b, i) => {
      check(`buttons[${i}].title`, b.title, META_LIMITS.buttonTitle, true);
      check(`buttons[${i}].id`, b.id, META_LIMITS.buttonId, true);
    });
    problems.push(...duplicates('buttons', message.buttons.map((b) => b.title), 'title'));
    problems.push(...duplicates('buttons', message.buttons.map((b) => b.id), 'id'));
    return problems;
  }
  check('button', message.button, META_LIMITS.listButton, true);
  const rows = message.sections.flatMap((s) => s.rows);
  if (rows.length === 0 || rows.length > META_LIMITS.rowsTotal) problems.push(`rows: ${rows.length} not in 1..${META_LIMITS.rowsTotal}`);
  if (message.sections.length > 1 && message.sections.some((s) => !s.title)) problems.push('sections: a title is required when there are several');
  message.sections.forEach((s, i) => check(`sections[${i}].title`, s.title, META_LIMITS.sectionTitle));
  rows.forEach((r, i) => {
    check(`rows[${i}].title`, r.title, META_LIMITS.rowTitle, true);
    check(`rows[${i}].description`, r.description, META_LIMITS.rowDescription);
    check(`rows[${i}].id`, r.id, META_LIMITS.rowId, true);
  });
  problems.push(...duplicates('rows', rows.map((r) => r.id), 'id'));
  return problems;
}

function duplicates(field: string, values: string[], what: string): string[] {
  const seen = new Set<string>();
  const dupes = values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
  return [...new Set(dupes)].map((d) => `${field}: duplicate ${what} ${JSON.stringify(d)}`);
}

/** Cuts `text` to `max` code points (with an ellipsis), a last guard for data-driven copy. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
