/**
 * wamids shaped like Meta's: `wamid.` + base64 of a small binary record holding the user's number
 * and a random hex id (see test/fixtures/whatsapp/README.md). Decoded, Meta's look like
 *   1c 18 <len> <wa_id digits> 15 02 00 <11 = business-sent | 12 = user-sent> 18 <len> <HEX id> 00
 * with 18 hex characters for business-sent messages (so the base64 ends in `AA==`) and 32 (or 20)
 * for user-sent ones. Puente must treat them as opaque strings; being realistic keeps it honest.
 */
import { randomBytes } from 'node:crypto';

function wamid(waId: string, direction: 'in' | 'out'): string {
  const hexId = randomBytes(direction === 'out' ? 9 : 16).toString('hex').toUpperCase();
  const number = Buffer.from(waId, 'ascii');
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, number.length]),
    number,
    Buffer.from([0x15, 0x02, 0x00, direction === 'out' ? 0x11 : 0x12, 0x18, hexId.length]),
    Buffer.from(hexId, 'ascii'),
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}

/** The id Meta gives a message the business sent to `waId`. */
export function businessWamid(waId: string): string {
  return wamid(waId, 'out');
}

/** The id of a message the user `waId` sent. */
export function userWamid(waId: string): string {
  return wamid(waId, 'in');
}

/** Media ids are numeric strings of about 16 digits. */
export function mediaId(): string {
  return `${1 + (randomBytes(1)[0] ?? 0) % 9}${BigInt(`0x${randomBytes(7).toString('hex')}`).toString().padStart(15, '0').slice(0, 15)}`;
}

/** A base64 sha256-looking digest for a media placeholder. */
export function fakeSha256(): string {
  return randomBytes(32).toString('base64');
}
