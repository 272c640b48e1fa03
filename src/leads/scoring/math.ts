/**
 * Rounding shared by the score components. Scores are computed in floating point and rounded once,
 * at the end; `toFixed(6)` first removes binary noise so a value that is exactly x.5 on paper
 * (87.49999999999999 in floating point) rounds up as a person computing it by hand would.
 */

/** `value` clamped to 0–100 and rounded to an integer (halves up). */
export function toScore(value: number): number {
  const clean = Number(value.toFixed(6));
  return Math.min(100, Math.max(0, Math.round(clean)));
}

/** `value` rounded to `decimals` places (halves up), for factors and confidences. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(Number((value * factor).toFixed(6))) / factor;
}

/** "a", "a and b", "a, b and c". */
export function listJoin(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** "1 reply" / "3 replies". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
