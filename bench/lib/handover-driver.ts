/**
 * Helpers of the handover scenario: signed webhooks of any message type, JSON POSTs to Puente's CRM
 * API, the (unmeasured) walk of N users into an active ticket, and the per-user sequence verdict.
 */
import http from 'node:http';
import { signBody } from '../../src/whatsapp/signature.js';
import { waitUntil } from './clock.js';
import type { FakeCrm } from './fake-crm.js';
import type { FakeGraph } from './fake-graph.js';
import { BENCH_CRM_API_TOKEN } from './puente-process.js';
import { BENCH_PHONE_NUMBER_ID, BENCH_WEBHOOK_SECRET } from './webhook-payloads.js';

/** POSTs `body` to `url`; resolves with the status (0 = no HTTP answer) and the body text. */
export function post(agent: http.Agent, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const buf = Buffer.from(body, 'utf8');
  return new Promise((resolve) => {
    const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST', timeout: 30_000, headers: { 'content-type': 'application/json', 'content-length': buf.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, body: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(buf);
  });
}

/** POSTs a signed webhook carrying one inbound message (`message` without `from`/`id`/`timestamp`). */
export function postInbound(agent: http.Agent, puenteUrl: string, phone: string, wamid: string, message: Record<string, unknown>) {
  const envelope = {
    object: 'whatsapp_business_account',
    entry: [{ id: '241856093317402', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '573186004400', phone_number_id: BENCH_PHONE_NUMBER_ID },
      contacts: [{ profile: { name: `Usuario ${phone}` }, wa_id: phone }],
      messages: [{ from: phone, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
    } }] }],
  };
  const body = JSON.stringify(envelope);
  return post(agent, `${puenteUrl}/webhook`, body, { 'x-hub-signature-256': signBody(BENCH_WEBHOOK_SECRET, Buffer.from(body, 'utf8')) });
}

/** POSTs to Puente's CRM API (`/api/crm/...`) with the bench's CRM token. */
export function postCrmApi(agent: http.Agent, puenteUrl: string, path: string, body: unknown) {
  return post(agent, `${puenteUrl}${path}`, JSON.stringify(body), { authorization: `Bearer ${BENCH_CRM_API_TOKEN}` });
}

/** Runs `fn(0 … n-1)` with at most `limit` running at once. */
export async function inParallel(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, limit) }, async () => {
    while (next < n) await fn(next++);
  }));
}

/** What the walk into a handover needs. */
export interface SetupDeps { agent: http.Agent; puenteUrl: string; fake: FakeGraph; crm: FakeCrm; wamidPrefix: string }

/** Text of a Graph send (text body or interactive body), '' otherwise. */
export function sentText(raw: string): string {
  try {
    const b = JSON.parse(raw) as { text?: { body?: string }; interactive?: { body?: { text?: string } } };
    return b.text?.body ?? b.interactive?.body?.text ?? '';
  } catch {
    return '';
  }
}

/**
 * Walks one user through the real flow into an ACTIVE ticket: "hola" → list reply `v1:menu.agent` →
 * document digits (the fake CRM finds the customer and accepts the agent request) → the CRM's
 * `POST /api/crm/handover` → the "se unió a la conversación" message reaches the fake Graph.
 * @returns the ticket id
 */
export async function walkIntoHandover(d: SetupDeps, phone: string): Promise<string> {
  const steps: Record<string, unknown>[] = [
    { type: 'text', text: { body: 'hola' } },
    { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'v1:menu.agent', title: '3. Hablar con un asesor' } } },
    { type: 'text', text: { body: phone.slice(-8) } },
  ];
  for (const [i, message] of steps.entries()) {
    const wamid = `${d.wamidPrefix}-${phone}-s${i}`;
    const res = await postInbound(d.agent, d.puenteUrl, phone, wamid, message);
    if (res.status !== 200) throw new Error(`setup webhook ${i} for ${phone} answered ${res.status}: ${res.body}`);
    if (!(await waitUntil(() => d.fake.firstReplyAt.has(wamid), 30_000, 20))) throw new Error(`no answer to setup step ${i} of ${phone}`);
  }
  if (!(await waitUntil(() => d.crm.tickets.has(phone), 30_000, 20))) throw new Error(`no agent request for ${phone}`);
  const ticketId = d.crm.tickets.get(phone) as string;
  const res = await postCrmApi(d.agent, d.puenteUrl, '/api/crm/handover', { ticketId, userPhone: phone, agentId: 'agent_1', agentName: 'Agente', handoverType: 'bot_to_human' });
  if (res.status !== 200) throw new Error(`handover for ${phone} answered ${res.status}: ${res.body}`);
  const joined = () => d.fake.replies.some((r) => r.to === phone && sentText(r.body).includes('se unió a la conversación'));
  if (!(await waitUntil(joined, 30_000, 20))) throw new Error(`no "se unió a la conversación" for ${phone}`);
  return ticketId;
}

/** Lost / duplicated / out-of-order of per-user sequences `0 … messages-1`, plus per-message latency. */
export interface SequenceVerdict {
  arrived: number; lost: number; duplicated: number; outOfOrder: number; usersAffected: number; latencies: number[]; gaps: number[]; lastAt: number; examples: string[];
  /** Per user that got anything: when its first and last message arrived. */
  firstAt: number[]; userLastAt: number[];
}

/**
 * @param arrivals in arrival order: user index, message index, arrival time ({@link nowMs})
 * @param sentAt sentAt[user][n]: when the call carrying message n started
 */
export function checkSequences(arrivals: { user: number; n: number; at: number }[], sentAt: number[][], messages: number): SequenceVerdict {
  const v: SequenceVerdict = { arrived: 0, lost: 0, duplicated: 0, outOfOrder: 0, usersAffected: 0, latencies: [], gaps: [], lastAt: 0, examples: [], firstAt: [], userLastAt: [] };
  const seen = sentAt.map(() => new Array<number>(messages).fill(0));
  const highest = sentAt.map(() => -1);
  const previousAt = sentAt.map(() => NaN);
  const affected = new Set<number>();
  const problem = (user: number, text: string) => {
    affected.add(user);
    if (v.examples.length < 5) v.examples.push(text);
  };
  for (const a of arrivals) {
    const counts = seen[a.user] as number[];
    if (++counts[a.n]! > 1) {
      v.duplicated++;
      problem(a.user, `user ${a.user}: message ${a.n} arrived ${counts[a.n]} times`);
      continue;
    }
    v.arrived++;
    v.lastAt = Math.max(v.lastAt, a.at);
    v.latencies.push(a.at - (sentAt[a.user]?.[a.n] ?? NaN));
    if (Number.isFinite(previousAt[a.user])) v.gaps.push(a.at - (previousAt[a.user] as number));
    previousAt[a.user] = a.at;
    if (a.n < (highest[a.user] as number)) {
      v.outOfOrder++;
      problem(a.user, `user ${a.user}: message ${a.n} arrived after message ${highest[a.user]}`);
    }
    highest[a.user] = Math.max(highest[a.user] as number, a.n);
  }
  seen.forEach((counts, user) => counts.forEach((c, n) => {
    if (c === 0) {
      v.lost++;
      problem(user, `user ${user}: message ${n} never arrived`);
    }
  }));
  v.usersAffected = affected.size;
  for (const a of arrivals) {
    v.firstAt[a.user] = Math.min(v.firstAt[a.user] ?? Infinity, a.at);
    v.userLastAt[a.user] = Math.max(v.userLastAt[a.user] ?? -Infinity, a.at);
  }
  return v;
}
