/**
 * Shared setup of the bot transcript tests (bot-*.test.ts): one real road per file (webhook →
 * lane → bot → outbound, real Redis and MongoDB), a nock'd Graph API per conversation, a nock'd
 * CRM per test, and a copy review of every message a test's conversation received.
 */
import nock from 'nock';
import { afterEach, expect } from 'vitest';
import { META_LIMITS, charCount } from '../../../bot/message-limits.js';
import { es } from '../../../bot/messages.es.js';
import { encodeReplyId } from '../../../bot/reply-ids.js';
import { testEnv } from '../../helpers/deps.js';
import { waitFor } from '../../helpers/redis.js';
import { useRoad as useSharedRoad, type Road } from '../../helpers/road.js';
import { optionIdsOf, recordGraph, textOf, userOf, type SentMessage } from '../../helpers/transcript.js';

export const CRM_URL = testEnv.CRM_BASE_URL;
export const PHONE_ID = testEnv.WHATSAPP_PHONE_NUMBER_ID;
/** EMERGENCY_PHONE's default (`src/platform/config/schema.ts`, `.env.example`). */
export const EMERGENCY_PHONE = '3242156679';
const LOOKUP_PATH = '/api/bot/customer-lookup';

/** The ids of the main menu's rows, in order (menu version prefix + the contract's ending). */
export const MAIN_MENU = [encodeReplyId('menu', 'account'), encodeReplyId('menu', 'support'), encodeReplyId('menu', 'agent'), encodeReplyId('menu', 'plans')];
export const SUPPORT_TOPICS = [encodeReplyId('support', 'no_internet'), encodeReplyId('support', 'slow'), encodeReplyId('support', 'other')];
export const CONFIRM = [encodeReplyId('confirm', 'yes'), encodeReplyId('confirm', 'no')];
export const PLANS = ['hogar-100', 'hogar-300', 'hogar-500', 'gamer-900'].map((p) => encodeReplyId('plan', p));
export const OFFER_HELP = [encodeReplyId('nav', 'menu'), encodeReplyId('menu', 'agent')];
/** The plans option's qualification questions: Sí / No buttons, one menu per question. */
export const BUDGET = [encodeReplyId('budget', 'yes'), encodeReplyId('budget', 'no')];
export const TIMELINE = [encodeReplyId('timeline', 'yes'), encodeReplyId('timeline', 'no')];
export const DECIDER = [encodeReplyId('decider', 'yes'), encodeReplyId('decider', 'no')];
export { encodeReplyId as replyId };

/** Asserts `message` is the main menu list: the notes (one paragraph each), then `question`. */
export function expectMainMenu(message: SentMessage | undefined, notes: string[] = [], question: string = es.menu.question): void {
  expect(message?.interactive?.type, 'a list message').toBe('list');
  expect(textOf(message!)).toBe([...notes, question].join('\n\n'));
  expect(optionIdsOf(message!)).toEqual(MAIN_MENU);
}

/** Asserts `message` is the plans list (after `notes`), offering every plan of bot/plans.json. */
export function expectPlansList(message: SentMessage | undefined, notes: string[] = []): void {
  expect(message?.interactive?.type, 'a list message').toBe('list');
  const text = textOf(message!);
  expect(text.startsWith([...notes, es.plans.intro].join('\n\n')), text).toBe(true);
  expect(text.endsWith(`\n\n${es.plans.question}`), text).toBe(true);
  expect(optionIdsOf(message!)).toEqual(PLANS);
}

/** Asserts `message` is a qualification question: `text` (after `notes`) with the Sí / No buttons `ids`. */
export function expectQuestion(message: SentMessage | undefined, ids: string[], text: string, notes: string[] = []): void {
  expect(message?.interactive?.type, 'a reply-buttons message').toBe('button');
  expect(textOf(message!)).toBe([...notes, text].join('\n\n'));
  expect(optionIdsOf(message!)).toEqual(ids);
  expect(message!.interactive!.action.buttons!.map((b) => b.reply.title)).toEqual([es.plans.yes, es.plans.no]);
}

/** Recorders of the running test; their messages are copy-reviewed after it. */
const conversations: ReturnType<typeof recordGraph>[] = [];

/**
 * One road for the whole file, started with `overrides` (env): only Redis and MongoDB are
 * reachable, every other host must be nock'd. After each test: copy review, then `nock.cleanAll()`.
 */
export function useRoad(overrides: Record<string, string> = {}): () => Road {
  const road = useSharedRoad(overrides);
  afterEach(() => {
    const sent = conversations.splice(0).flatMap((c) => c.sent.filter((m) => m.status !== 'read'));
    expect(sent.flatMap(copyProblems)).toEqual([]);
  });
  return road;
}

/** A WhatsApp user writing to the bot (one per test: the Graph recorder intercepts every send). */
export function talk(road: Road, waId: string, profileName?: string) {
  const graph = recordGraph();
  conversations.push(graph);
  const user = userOf(road, graph, waId, profileName);
  return {
    ...user,
    graph,
    /** The lane key sessions, locks and tickets are stored under. */
    key: `${PHONE_ID}:${waId}`,
    /** Any other WhatsApp message (audio, sticker, location, reaction, template quick reply…). */
    send: (message: Record<string, unknown>, expect = 1) => sendRaw(road, graph, waId, message, expect),
    /** Waits for a message starting with `starting` that answers no message of the user's (e.g. the bridge's own). */
    receives: async (starting: string): Promise<SentMessage> => {
      await waitFor(() => graph.to(waId).some((m) => textOf(m).startsWith(starting)), 10_000, JSON.stringify(starting));
      return graph.to(waId).find((m) => textOf(m).startsWith(starting)) as SentMessage;
    },
  };
}

let seq = 0;
async function sendRaw(road: Road, graph: ReturnType<typeof recordGraph>, waId: string, message: Record<string, unknown>, expected: number) {
  const wamid = `wamid.bot-${waId}-${Date.now()}-${++seq}`;
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '573186004400', phone_number_id: PHONE_ID },
    contacts: [{ profile: { name: 'Camila Restrepo' }, wa_id: waId }],
    messages: [{ from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  };
  const res = await road.postWebhook({ object: 'whatsapp_business_account', entry: [{ id: '241856093317402', changes: [{ field: 'messages', value }] }] });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  const answers = () => graph.sent.filter((m) => m.biz_opaque_callback_data === wamid);
  if (expected > 0) await waitFor(() => answers().length >= expected, 10_000, `${expected} answer(s) to ${JSON.stringify(message)}`);
  else await waitFor(() => graph.sent.some((m) => m.status === 'read' && m.message_id === wamid), 10_000, 'the read receipt');
  return { wamid, answers };
}

/** A customer as the CRM's lookup describes them. */
export interface CrmCustomer {
  customerId: string;
  customerName: string;
  serviceSuspended: boolean;
  plan?: string;
  serviceStatus?: string;
  balance?: number | string;
  dueDate?: string;
}

export const activeCustomer: CrmCustomer = { customerId: 'C-1001', customerName: 'JUAN PÉREZ GÓMEZ', serviceSuspended: false, plan: 'Hogar 300 Mbps', balance: 89900, dueDate: '2025-06-20' };
export const suspendedCustomer: CrmCustomer = { customerId: 'C-2002', customerName: 'Rosa Martínez', serviceSuspended: true, plan: 'Hogar 100 Mbps', balance: 139800, dueDate: '2025-05-20' };

/** One lookup the CRM received: the parsed body, the exact bytes and the headers. */
export interface LookupCall {
  body: { document: string; phone: string };
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

type LookupReply = readonly [status: number, body?: unknown] | Error;

/**
 * The CRM's customer lookup for `document`, answering each call with the next reply in order
 * (exactly `replies.length` calls are expected: check with `scope.isDone()`); calls are recorded.
 */
export function crmLookup(document: string, ...replies: LookupReply[]) {
  const calls: LookupCall[] = [];
  const scope = nock(CRM_URL);
  for (const reply of replies) {
    const interceptor = scope.post(LOOKUP_PATH, (b: { document?: string }) => b.document === document);
    if (reply instanceof Error) {
      interceptor.replyWithError(reply);
      continue;
    }
    interceptor.reply(function (this: { req: { headers: LookupCall['headers'] } }, _uri, body) {
      const parsed = body as LookupCall['body'];
      calls.push({ body: parsed, raw: JSON.stringify(parsed), headers: this.req.headers });
      return [reply[0], reply[1] ?? ''];
    });
  }
  return { scope, calls };
}

/** The CRM finds `customer` under `document` (one call). */
export const crmFinds = (document: string, customer: CrmCustomer) => crmLookup(document, [200, { found: true, customer }]);

/** Any lookup at all, whatever the document: used to prove the bot made none. */
export function anyLookup() {
  return nock(CRM_URL).post(LOOKUP_PATH).reply(500);
}

/** The CRM accepts the agent request (docs/crm-contract.md); the bodies it received are recorded. */
export function crmAcceptsAgentRequests() {
  const requests: Record<string, unknown>[] = [];
  const scope = nock(CRM_URL)
    .post('/api/bot/agent-request')
    .reply(200, (_uri, body) => {
      requests.push(body as Record<string, unknown>);
      return { success: true, ticketId: (body as { ticketId: string }).ticketId };
    });
  return {
    scope,
    requests,
    /** The first agent request, once the CRM has answered it (a nock scope is "done" before its reply runs). */
    async received(): Promise<Record<string, unknown>> {
      await waitFor(() => requests.length > 0, 10_000, 'the agent request');
      return requests[0]!;
    },
  };
}

/** Common English words that must not appear in Spanish copy ("menú" is fine, "menu" is not). */
const ENGLISH = new Set([
  'the', 'your', 'you', 'please', 'menu', 'hello', 'hi', 'sorry', 'thanks', 'thank', 'agent', 'support', 'error', 'ok', 'okay',
  'welcome', 'help', 'account', 'service', 'status', 'bill', 'invoice', 'payment', 'yes', 'click', 'link', 'bot', 'chat',
  'online', 'email', 'wifi', 'router', 'reset', 'login', 'password', 'user', 'customer', 'ticket', 'lead', 'plans', 'option',
  'undefined', 'null', 'nan',
]);

type GraphInteractive = {
  header?: { text?: string };
  body: { text: string };
  footer?: { text: string };
  action: {
    button?: string;
    buttons?: { reply: { id: string; title: string } }[];
    sections?: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
  };
};

/**
 * What is wrong with a message as it reached the Graph API: Meta's limits (META_LIMITS), empty
 * text, and English words or leftovers (`undefined`, `${`) in anything the user can read.
 */
export function copyProblems(message: SentMessage): string[] {
  const problems: string[] = [];
  const visible: string[] = [];
  const check = (field: string, text: string | undefined, max: number) => {
    if (text === undefined) return;
    visible.push(text);
    if (charCount(text) > max) problems.push(`${field}: ${charCount(text)} > ${max}`);
    if (text.trim() === '') problems.push(`${field}: empty`);
  };
  if (message.text) check('text', message.text.body, META_LIMITS.textBody);
  const interactive = message.interactive as GraphInteractive | undefined;
  if (interactive) {
    check('body', interactive.body.text, META_LIMITS.interactiveBody);
    check('header', interactive.header?.text, META_LIMITS.header);
    check('footer', interactive.footer?.text, META_LIMITS.footer);
    check('button', interactive.action.button, META_LIMITS.listButton);
    const buttons = interactive.action.buttons ?? [];
    if (buttons.length > META_LIMITS.buttons) problems.push(`buttons: ${buttons.length}`);
    buttons.forEach((b, i) => check(`buttons[${i}]`, b.reply.title, META_LIMITS.buttonTitle));
    const rows = (interactive.action.sections ?? []).flatMap((s, i) => (check(`sections[${i}]`, s.title, META_LIMITS.sectionTitle), s.rows));
    if (rows.length > META_LIMITS.rowsTotal) problems.push(`rows: ${rows.length}`);
    rows.forEach((r, i) => {
      check(`rows[${i}].title`, r.title, META_LIMITS.rowTitle);
      check(`rows[${i}].description`, r.description, META_LIMITS.rowDescription);
    });
  }
  for (const text of visible) {
    const english = text.toLowerCase().split(/[^\p{L}]+/u).filter((w) => ENGLISH.has(w));
    if (english.length > 0 || text.includes('${')) problems.push(`${JSON.stringify(text.slice(0, 50))}: ${english.join(', ') || '${'}`);
  }
  return problems;
}
