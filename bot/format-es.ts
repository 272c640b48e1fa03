/** Spanish (es-CO) formatting of data shown to users: money, dates, names. */

const MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];

/** Pesos the Colombian way, without decimals: 89900 → "$89.900", -1500 → "-$1.500". */
export function formatCop(amount: number): string {
  const digits = Math.round(Math.abs(amount)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${amount < 0 ? '-' : ''}$${digits}`;
}

/** "2025-06-20" (or a full ISO time) → "20 de junio de 2025"; other text is returned as given. */
export function formatDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  if (!match || !month) return value.trim();
  return `${Number(match[3])} de ${month} de ${match[1]}`;
}

/** Longest first name used in copy; WhatsApp profile names can be anything. */
const FIRST_NAME_MAX = 20;

/**
 * The first name to greet someone with ("MARÍA JOSÉ PÉREZ" → "María"), or undefined when the
 * text has no usable word (emoji-only profile names, for example).
 */
export function firstName(fullName: string | undefined): string | undefined {
  const word = fullName?.trim().split(/\s+/)[0];
  if (!word || !/^\p{L}[\p{L}\p{M}'-]*$/u.test(word)) return undefined;
  const chars = [...word.toLocaleLowerCase('es-CO')];
  if (chars.length > FIRST_NAME_MAX) return undefined;
  return (chars[0] ?? '').toLocaleUpperCase('es-CO') + chars.slice(1).join('');
}

/**
 * Minutes from `now` until `until` (an ISO time), rounded to the nearest and at least 1. Rounded
 * rather than ceiled: the lock's end is computed a few milliseconds after `now`, and a fresh
 * 15-minute lock must read "15 minutos", not 16.
 */
export function minutesUntil(until: string, now: Date): number {
  const ms = Date.parse(until) - now.getTime();
  return Number.isFinite(ms) ? Math.max(1, Math.round(ms / 60_000)) : 15;
}
