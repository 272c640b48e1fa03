import nock from 'nock';
import { testEnv } from './deps.js';
import { waitFor } from './redis.js';
import { metaWebhook, type Road } from './road.js';

export const GRAPH_URL = testEnv.WHATSAPP_API_URL;
export const MESSAGES_PATH = `/v25.0/${testEnv.WHATSAPP_PHONE_NUMBER_ID}/messages`;

/** A body Puente POSTed to the Graph API, as recorded by {@link recordGraph}. */
export interface SentMessage {
  to?: string;
  type?: string;
  status?: string;
  message_id?: string;
  text?: { body: string };
  interactive?: {
    type: 'button' | 'list';
    body: { text: string };
    action: { buttons?: { reply: { id: string; title: string } }[]; button?: string; sections?: { rows: { id: string; title: string }[] }[] };
  };
  image?: { link?: string; caption?: string };
  document?: { link?: string; caption?: string; filename?: string };
  biz_opaque_callback_data?: string;
}

/**
 * A nock'd Graph API that answers every send like Meta (after `delayMs`) and records it.
 * Call `nock.cleanAll()` after the test.
 */
export function recordGraph(delayMs = 0) {
  const sent: SentMessage[] = [];
  const run = Math.random().toString(36).slice(2, 8);
  let n = 0;
  nock(GRAPH_URL)
    .persist()
    .post(MESSAGES_PATH)
    .delay(delayMs)
    .reply(200, (_uri, body) => {
      const message = body as SentMessage;
      sent.push(message);
      if (message.status === 'read') return { success: true };
      return { messaging_product: 'whatsapp', contacts: [{ input: message.to, wa_id: message.to }], messages: [{ id: `wamid.sent-${run}-${++n}` }] };
    });
  return {
    sent,
    /** Messages (not read receipts) sent to `user`, in the order they reached the Graph API. */
    to: (user: string) => sent.filter((m) => m.to === user && m.status !== 'read'),
  };
}

/** The visible text of a sent message: its body, for text and interactive alike. */
export function textOf(message: SentMessage): string {
  return message.text?.body ?? message.interactive?.body.text ?? message.image?.caption ?? message.document?.caption ?? '';
}

/** Reply ids offered by an interactive message (buttons or list rows). */
export function optionIdsOf(message: SentMessage): string[] {
  const action = message.interactive?.action;
  return [...(action?.buttons?.map((b) => b.reply.id) ?? []), ...(action?.sections?.flatMap((s) => s.rows.map((r) => r.id)) ?? [])];
}

let seq = 0;

/**
 * One WhatsApp user talking to Puente through the real webhook, lane, bot and outbound queue.
 * Each `say`/`tap`/`sendMedia` waits until Puente has answered it (at least `expect` messages) and
 * returns just those answers.
 */
export function userOf(road: Road, graph: ReturnType<typeof recordGraph>, user: string, profileName = 'Camila Restrepo') {
  const envelope = (message: Record<string, unknown>) =>
    metaWebhook({
      contacts: [{ profile: { name: profileName }, wa_id: user }],
      messages: [{ from: user, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
    });

  async function deliver(message: Record<string, unknown>, expect: number, timeoutMs: number): Promise<SentMessage[]> {
    const wamid = `wamid.t-${user}-${Date.now()}-${++seq}`;
    const res = await road.postWebhook(envelope({ id: wamid, ...message }));
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    const answers = () => graph.sent.filter((m) => m.biz_opaque_callback_data === wamid);
    if (expect > 0) await waitFor(() => answers().length >= expect, timeoutMs, `${expect} answer(s) to ${JSON.stringify(message)}`);
    else await waitFor(() => graph.sent.some((m) => m.status === 'read' && m.message_id === wamid), timeoutMs, 'the read receipt');
    return answers();
  }

  return {
    user,
    say: (text: string, expect = 1, timeoutMs = 10_000) => deliver({ type: 'text', text: { body: text } }, expect, timeoutMs),
    tap: (id: string, title = id, expect = 1, timeoutMs = 10_000) =>
      deliver({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title } } }, expect, timeoutMs),
    tapButton: (id: string, title = id, expect = 1, timeoutMs = 10_000) =>
      deliver({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id, title } } }, expect, timeoutMs),
    sendImage: (expect = 1, timeoutMs = 10_000) =>
      deliver({ type: 'image', image: { id: '1003383421387256', mime_type: 'image/jpeg', sha256: 'abc', caption: 'foto del módem' } }, expect, timeoutMs),
  };
}
