/**
 * Signed WhatsApp webhooks as Meta sends them (one text message per envelope), shaped like
 * `test/fixtures/whatsapp/inbound-text.json`. Ids are deterministic so that the process that
 * sends a message and the process that sees its reply agree on them without talking.
 */
import { signBody } from '../../src/whatsapp/signature.js';

/** The `phone_number_id` Puente is configured with in the bench (`WHATSAPP_PHONE_NUMBER_ID`). */
export const BENCH_PHONE_NUMBER_ID = '118724605391736';
/** `META_WEBHOOK_SECRET` of the Puente under test. */
export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret-0123456789abcdef'; // 32+ characters: main.ts checks as production does

/** A user's `wa_id`: `57300` followed by 7 digits (10 M distinct users). */
export function userPhone(user: number): string {
  return `57300${String(user % 10_000_000).padStart(7, '0')}`;
}

/** The unique wamid of message `n` of `user` in run `runId`. */
export function wamidFor(runId: string, user: number, n: number): string {
  return `wamid.bench-${runId}-${user}-${n}`;
}

/** One signed webhook, ready to POST. */
export interface SignedWebhook {
  body: Buffer;
  signature: string;
  wamid: string;
}

/**
 * Builds and signs the webhook carrying message `n` of `user`. The text is padded to a fixed length,
 * so every body of a run has (nearly) the same size whatever the ids.
 */
export function buildWebhook(secret: string, runId: string, user: number, n: number, timestampSec = Math.floor(Date.now() / 1000)): SignedWebhook {
  const from = userPhone(user);
  const wamid = wamidFor(runId, user, n);
  const text = `Hola, quisiera saber el precio del plan. Mensaje ${n} de ${user}`.padEnd(80, '.');
  const json =
    '{"object":"whatsapp_business_account","entry":[{"id":"241856093317402","changes":[{"value":{"messaging_product":"whatsapp",' +
    `"metadata":{"display_phone_number":"573186004400","phone_number_id":"${BENCH_PHONE_NUMBER_ID}"},` +
    `"contacts":[{"profile":{"name":"Usuario ${user}"},"wa_id":"${from}"}],` +
    `"messages":[{"from":"${from}","id":"${wamid}","timestamp":"${timestampSec}","type":"text","text":{"body":${JSON.stringify(text)}}}]},` +
    '"field":"messages"}]}]}';
  const body = Buffer.from(json, 'utf8');
  return { body, signature: signBody(secret, body), wamid };
}

/** Parses a wamid made by {@link wamidFor} back into its user and message index (undefined for others). */
export function parseWamid(wamid: string): { runId: string; user: number; n: number } | undefined {
  const m = /^wamid\.bench-(.+)-(\d+)-(\d+)$/.exec(wamid);
  if (!m) return undefined;
  return { runId: m[1] as string, user: Number(m[2]), n: Number(m[3]) };
}
