import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** The region a number without a country code is read in: Puente's customers are Colombian. */
export const DEFAULT_PHONE_REGION: CountryCode = 'CO';

/**
 * A phone number as E.164 digits without `+` (`3001234567` → `573001234567`), or undefined when it
 * is not a valid number. Read as:
 * - `+…` or `00…`: international;
 * - exactly 10 digits: a national number of {@link DEFAULT_PHONE_REGION} (a Colombian mobile);
 * - other digits: international when that is a valid number (`573001234567`, `12127365000`),
 *   otherwise national.
 * Spaces, dots, dashes and parentheses are ignored; letters make it invalid.
 */
export function normalizePhone(input: string, region: CountryCode = DEFAULT_PHONE_REGION): string | undefined {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().\-/]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 17) return undefined;
  const valid = (text: string, defaultRegion?: CountryCode) => {
    const parsed = parsePhoneNumberFromString(text, defaultRegion);
    return parsed?.isValid() ? parsed.number.slice(1) : undefined;
  };
  if (trimmed.startsWith('+')) return valid(`+${digits}`);
  if (digits.startsWith('00')) return valid(`+${digits.slice(2)}`);
  if (digits.length === 10) return valid(digits, region) ?? valid(`+${digits}`);
  return valid(`+${digits}`) ?? valid(digits, region);
}
