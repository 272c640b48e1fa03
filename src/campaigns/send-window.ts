/**
 * A step's `send_time` in the recipient's time zone: once due, the step goes at the next time the
 * clock in the contact's `timezone` (America/Bogota when it has none or an unknown one) reads
 * `send_time`.
 */

/** The zone of a contact without a (valid) `timezone`: Puente's customers are Colombian. */
export const DEFAULT_TIMEZONE = 'America/Bogota';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A usable IANA zone: `zone` if the runtime knows it, else {@link DEFAULT_TIMEZONE}. */
export function zoneOrDefault(zone: string | null | undefined): string {
  if (!zone) return DEFAULT_TIMEZONE;
  try {
    formatterFor(zone);
    return zone;
  } catch {
    return DEFAULT_TIMEZONE;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of `at` in `zone`. */
function wallClock(at: number, zone: string) {
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute), s: Number(parts.second) };
}

/** `zone`'s offset from UTC at `at`, in ms. */
function offsetMs(at: number, zone: string): number {
  const w = wallClock(at, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/** The instant the clock in `zone` reads the given wall time (DST gaps resolve forward). */
function instantOf(y: number, m: number, d: number, h: number, mi: number, s: number, zone: string): number {
  const asUtc = Date.UTC(y, m - 1, d, h, mi, s);
  const first = asUtc - offsetMs(asUtc, zone);
  return asUtc - offsetMs(first, zone);
}

/** The first instant at or after `from` at which the clock in `zone` reads `sendTime` (`HH:MM` or `HH:MM:SS`). */
export function nextSendTime(sendTime: string, zone: string, from: Date): Date {
  const [h = 0, mi = 0, s = 0] = sendTime.split(':').map(Number);
  const tz = zoneOrDefault(zone);
  const local = wallClock(from.getTime(), tz);
  let at = instantOf(local.y, local.m, local.d, h, mi, s, tz);
  if (at < from.getTime()) {
    // The next local day (noon UTC of the next calendar day avoids month-end arithmetic).
    const next = new Date(Date.UTC(local.y, local.m - 1, local.d + 1, 12));
    at = instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), h, mi, s, tz);
  }
  return new Date(at);
}

/** The hour of the day (0–23) the clock in `zone` reads at `at`. */
export function localHour(at: Date, zone: string): number {
  return wallClock(at.getTime(), zoneOrDefault(zone)).h;
}

/** `from` itself when the clock in `zone` reads hour `hour` then, else the next time it reads `hour`:00 (less than 24 h ahead). */
export function nextLocalHour(hour: number, zone: string, from: Date): Date {
  if (localHour(from, zone) === hour) return from;
  return nextSendTime(`${String(hour).padStart(2, '0')}:00`, zone, from);
}
