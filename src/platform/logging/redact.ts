/**
 * Deep redaction for log records. pino's own `redact` needs every path spelled out in advance;
 * job payloads and error objects nest phone numbers and tokens at paths we cannot list, so we
 * walk the record instead.
 */

const SECRET_KEY = /authorization|cookie|token|secret|password|passwd|signature|api[-_]?key|credential/i;
/** Keys whose values are identifiers that merely look like phone numbers and are safe to keep. */
const KEEP_DIGITS_KEY = /^(phoneNumberId|phone_number_id|wabaId|waba_id|jobId|reqId|requestId|ticketId|pid|port)$/;
/** A phone-number-like run: 8 to 15 digits, optionally after a +, not part of a longer digit run. */
const PHONE_RUN = /(?<!\d)\+?\d{8,15}(?!\d)/g;
const MAX_DEPTH = 8;

export const REDACTED = '[REDACTED]';

/** Keeps the last four digits: `573001234567` → `********4567`. */
export function maskPhone(digits: string): string {
  const plain = digits.replace(/^\+/, '');
  return `${'*'.repeat(Math.max(plain.length - 4, 0))}${plain.slice(-4)}`;
}

/** Masks every phone-number-like run inside a string. */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_RUN, (run) => maskPhone(run));
}

function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  for (const [key, value] of Object.entries(err)) out[key] = value;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

/** Returns a redacted copy of `value`; never mutates it. */
export function redactDeep(value: unknown, key = '', depth = 0, seen = new WeakSet<object>()): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return KEEP_DIGITS_KEY.test(key) ? value : maskPhonesInText(value);
  if (typeof value === 'number') {
    return !KEEP_DIGITS_KEY.test(key) && Number.isInteger(value) && /phone|wa_?id|msisdn/i.test(key)
      ? maskPhone(String(value))
      : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactDeep(serializeError(value), key, depth, seen);
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, key, depth + 1, seen));
    if (value instanceof Date || Buffer.isBuffer(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, k, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
