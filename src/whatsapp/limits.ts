/**
 * Meta's limits for outbound messages (docs/whatsapp-cloud-api.md), enforced before a request leaves Puente so a
 * bad message fails in our code with the offending field named, not as a 131009 from Graph.
 * Lengths are in Unicode code points (`[...str].length`), which is how Meta counts characters.
 */
export const WHATSAPP_LIMITS = {
  textBody: 4096,
  /** Reply-button and list bodies; Meta's list page now says 4096, SDKs and older docs 1024. */
  interactiveBody: 1024,
  headerText: 60,
  footerText: 60,
  buttonsPerMessage: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButtonLabel: 20,
  listSections: 10,
  listRowsTotal: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  caption: 1024,
  templateName: 512,
} as const;

/** Which rule a {@link MessageLimitError} reports. */
export type MessageLimitRule = 'max_length' | 'max_count' | 'min_count' | 'required' | 'unique' | 'format' | 'not_allowed';

/**
 * A builder refused to produce a message Meta would reject.
 *
 * @example
 * try { textMessage(to, body) } catch (e) { if (e instanceof MessageLimitError) log(e.field, e.limit) }
 */
export class MessageLimitError extends Error {
  override readonly name = 'MessageLimitError';
  /** Path of the offending field in the builder's input, e.g. `buttons[1].title`. */
  readonly field: string;
  readonly rule: MessageLimitRule;
  /** The numeric limit for `max_length`/`max_count`/`min_count`. */
  readonly limit: number | undefined;
  /** The measured length or count, when there is one. */
  readonly actual: number | undefined;

  constructor(field: string, rule: MessageLimitRule, message: string, limit?: number, actual?: number) {
    super(`${field}: ${message}`);
    this.field = field;
    this.rule = rule;
    this.limit = limit;
    this.actual = actual;
  }
}

/** Length in Unicode code points, so an emoji counts once (as WhatsApp shows it), not as two UTF-16 units. */
export function charLength(text: string): number {
  return [...text].length;
}

/** Rejects empty/blank strings and strings longer than `max` code points; returns the string. */
export function checkText(field: string, value: string, max: number): string {
  if (value.trim().length === 0) throw new MessageLimitError(field, 'required', 'must not be empty');
  const length = charLength(value);
  if (length > max) {
    throw new MessageLimitError(field, 'max_length', `must be at most ${max} characters (got ${length})`, max, length);
  }
  return value;
}

/** Rejects empty/blank strings where Meta documents no length limit; returns the string. */
export function checkRequired(field: string, value: string): string {
  return checkText(field, value, Number.POSITIVE_INFINITY);
}

/** Like {@link checkText} but `undefined` passes through (optional fields). */
export function checkOptionalText(field: string, value: string | undefined, max: number): string | undefined {
  return value === undefined ? undefined : checkText(field, value, max);
}

/** Rejects arrays with fewer than `min` or more than `max` items. */
export function checkCount(field: string, count: number, min: number, max: number): void {
  if (count < min) throw new MessageLimitError(field, 'min_count', `needs at least ${min} item(s) (got ${count})`, min, count);
  if (count > max) throw new MessageLimitError(field, 'max_count', `allows at most ${max} item(s) (got ${count})`, max, count);
}

/** Rejects the first value that repeats; `field(i)` names the i-th item. */
export function checkUnique(values: readonly string[], field: (index: number) => string): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) throw new MessageLimitError(field(index), 'unique', `duplicate value "${value}"`);
    seen.add(value);
  });
}

const WA_ID = /^\d{1,20}$/;

/** A recipient must be a wa_id: digits only, no `+`, spaces or dashes. */
export function checkRecipient(to: string): string {
  if (!WA_ID.test(to)) throw new MessageLimitError('to', 'format', 'must be a wa_id (digits only, e.g. 573001234567)');
  return to;
}

