import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthLock } from '../../bot/auth-lock.js';
import { createCustomerLookup } from '../../bot/customer-lookup.js';
import type { BotMessage } from '../../bot/effects.js';
import type { BotInput } from '../../bot/events.js';
import type { HandoverRequest, LeadInput } from '../../bot/ports.js';
import { createBot, type Bot } from '../../bot/runner.js';
import { createSessionStore } from '../../bot/session-store.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js';
import { EMERGENCY_PHONE, plans, replyIds, visibleTexts } from './bot-fixtures.js';

const CRM = 'https://crm.runner.test';
const LOOKUP = '/api/bot/customer-lookup';
const conversation = { key: '106540352242922:573001234567', waId: '573001234567', phoneNumberId: '106540352242922', profileName: 'Ana Gómez' };
const suspended = { customerId: '12345', customerName: 'JUAN PÉREZ', serviceSuspended: true };

const redis = new Redis(TEST_REDIS_URL);
const prefixes: string[] = [];

interface Harness {
  bot: Bot;
  keyPrefix: string;
  handovers: HandoverRequest[];
  leads: LeadInput[];
  failPorts: { handover: boolean; leads: boolean };
  send(input: BotInput | string, eventId?: string): Promise<BotMessage[]>;
}

let h: Harness;

/** A bot over real Redis; pass `keyPrefix` of another harness to simulate a restart (same sessions, new process). */
function harness(keyPrefix = `test-${randomUUID()}`): Harness {
  prefixes.push(keyPrefix);
  const handovers: HandoverRequest[] = [];
  const leads: LeadInput[] = [];
  const failPorts = { handover: false, leads: false };
  const logger = createLogger({ level: 'silent' });
  const bot = createBot({
    sessions: createSessionStore({ redis, keyPrefix, ttlSeconds: 1800 }),
    authLock: createAuthLock({ redis, keyPrefix }),
    lookup: createCustomerLookup({ crmBaseUrl: CRM, botApiToken: 't', botSignatureSecret: 's', userAgent: 'Puente/0.1.0', timeoutMs: 200, retryDelayMs: 5, logger }),
    plans,
    emergencyPhone: EMERGENCY_PHONE,
    handover: { requestHandover: async (r) => { if (failPorts.handover) throw new Error('mongo down'); handovers.push(r); } },
    leads: { saveLead: async (l) => { if (failPorts.leads) throw new Error('mongo down'); leads.push(l); } },
    logger,
  });
  let n = 0;
  return {
    bot, keyPrefix, handovers, leads, failPorts,
    send: (input, eventId) => bot.handle(conversation, typeof input === 'string' ? { kind: 'text', text: input } : input, eventId ?? `wamid.${(n += 1)}`),
  };
}

const texts = (messages: BotMessage[]) => messages.flatMap(visibleTexts).join('\n');
const tap = (id: string): BotInput => ({ kind: 'reply', id });
const sessionKey = () => `${h.keyPrefix}:session:${conversation.key}`;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
beforeEach(() => {
  h = harness();
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  for (const prefix of prefixes) await deleteKeys(prefix);
  redis.disconnect();
});

describe('bot runner (real Redis sessions, CRM mocked with nock, fake ports)', () => {
  it('greets a first contact by profile name with the main menu, and stores the session with a TTL', async () => {
    const messages = await h.send('hola');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.kind).toBe('list');
    expect(replyIds(messages[0]!)).toEqual(['v1:menu.account', 'v1:menu.support', 'v1:menu.agent', 'v1:menu.plans']);
    expect(texts(messages)).toContain('¡Hola, Ana!');
    expect(await redis.ttl(sessionKey())).toBeGreaterThan(1790);
  });

  it('captures a lead through option 4: plans list, pick, name (saved), three answers (each saved with all so far), confirmation', async () => {
    await h.send('hola');
    const list = await h.send('4');
    expect(replyIds(list[0]!)).toEqual(plans.plans.map((p) => `v1:plan.${p.id}`));
    expect(texts(await h.send(tap('v1:plan.hogar-300')))).toContain('¿Cuál es tu nombre?');

    const budget = await h.send('Ana María');
    expect(replyIds(budget[0]!)).toEqual(['v1:budget.yes', 'v1:budget.no']);
    expect(texts(budget)).toContain('¿Ya tienes presupuesto para el plan Hogar 300 Mbps?');
    const base = { phone: '573001234567', name: 'Ana María', plan: { id: 'hogar-300', name: 'Hogar 300 Mbps' }, source: 'whatsapp', phoneNumberId: '106540352242922' };
    // Saved at once, without answers: someone who stops here is still a lead.
    expect(h.leads).toEqual([{ ...base, qualification: {} }]);

    const timeline = await h.send(tap('v1:budget.yes'));
    expect(replyIds(timeline[0]!)).toEqual(['v1:timeline.yes', 'v1:timeline.no']);
    const decider = await h.send('todavía no');
    expect(replyIds(decider[0]!)).toEqual(['v1:decider.yes', 'v1:decider.no']);
    const done = await h.send('sí, soy yo');
    expect(texts(done)).toContain('Un asesor comercial te escribirá');
    expect(done.at(-1)?.kind).toBe('list');

    expect(h.leads).toEqual([
      { ...base, qualification: {} },
      { ...base, qualification: { budget_confirmed: true } },
      { ...base, qualification: { budget_confirmed: true, timeline_defined: false } },
      { ...base, qualification: { budget_confirmed: true, timeline_defined: false, decision_maker_involved: true } },
    ]);
    for (const saved of h.leads) expect(saved).not.toHaveProperty('stage');
  });

  it('resumes the questions after a restart with the answers given, and ignores a button of an earlier question', async () => {
    await h.send('hola');
    await h.send('4');
    await h.send('3');
    await h.send('Pedro');
    await h.send(tap('v1:budget.no'));
    const session = JSON.parse((await redis.get(sessionKey()))!) as { snapshot: Record<string, unknown> };
    expect(session.snapshot).toMatchObject({ state: 'plans_timeline', planId: 'hogar-500', leadName: 'Pedro', qualification: { budget_confirmed: false } });

    // A new process over the same Redis: the session is all it knows.
    const restarted = harness(h.keyPrefix);
    const stale = await restarted.send(tap('v1:budget.yes'), 'wamid.after-restart-1');
    expect(texts(stale)).toContain('ya no está disponible');
    expect(replyIds(stale[0]!)).toEqual(['v1:timeline.yes', 'v1:timeline.no']);
    expect(restarted.leads).toEqual([]);

    await restarted.send(tap('v1:timeline.yes'), 'wamid.after-restart-2');
    await restarted.send('2', 'wamid.after-restart-3');
    expect(restarted.leads.map((l) => [l.name, l.plan.id, l.qualification])).toEqual([
      ['Pedro', 'hogar-500', { budget_confirmed: false, timeline_defined: true }],
      ['Pedro', 'hogar-500', { budget_confirmed: false, timeline_defined: true, decision_maker_involved: false }],
    ]);
  });

  it('re-asks a question with a hint on text that is no answer, and keeps the words that work everywhere', async () => {
    await h.send('hola');
    await h.send('4');
    await h.send('1');
    await h.send('Ana');
    const hint = await h.send('no sé');
    expect(texts(hint)).toContain('Respóndeme *sí* o *no*');
    expect(replyIds(hint[0]!)).toEqual(['v1:budget.yes', 'v1:budget.no']);
    expect(h.leads).toHaveLength(1);
    expect(replyIds((await h.send('menú'))[0]!)).toContain('v1:menu.plans');
  });

  it('authenticates an unauthenticated "asesor" and hands a suspended customer over as reactivacion_servicio/alta', async () => {
    let sentBody = '';
    nock(CRM).post(LOOKUP, (body: Record<string, string>) => { sentBody = JSON.stringify(body); return true; }).reply(200, { found: true, customer: suspended });
    await h.send('hola');
    const ask = await h.send('quiero hablar con un asesor');
    expect(texts(ask)).toContain('número de documento');
    expect(texts(ask)).toContain(EMERGENCY_PHONE);
    const found = await h.send('1.020.304.050');
    expect(JSON.parse(sentBody)).toEqual({ document: '1020304050', phone: '573001234567' });
    expect(texts(found)).toContain('¡Gracias, Juan!');
    expect(h.handovers).toHaveLength(1);
    expect(h.handovers[0]).toMatchObject({ category: 'reactivacion_servicio', priority: 'alta', reason: 'user_requested', customer: { customerId: '12345' }, conversation });
    // During the handover the bot stays silent.
    expect(await h.send('¿hola?')).toEqual([]);
  });

  it('locks after 3 wrong documents, gives EMERGENCY_PHONE and makes no 4th CRM call while locked', async () => {
    let crmCalls = 0;
    nock(CRM).post(LOOKUP).times(3).reply(() => { crmCalls += 1; return [404]; });
    await h.send('hola');
    await h.send('1');
    expect(texts(await h.send('11111111'))).toContain('quedan 2 intentos');
    expect(texts(await h.send('22222222'))).toContain('queda 1 intento');
    const locked = await h.send('33333333');
    expect(texts(locked)).toContain('15 minutos');
    expect(texts(locked)).toContain(EMERGENCY_PHONE);
    expect(crmCalls).toBe(3);
    // Still locked: options 1–3 are refused up front, without asking for a document.
    const refused = await h.send(tap('v1:menu.agent'));
    expect(texts(refused)).toContain(EMERGENCY_PHONE);
    expect(texts(refused)).not.toContain('número de documento');
    expect(crmCalls).toBe(3);
  });

  it('does not call the CRM for a document typed after the lock started', async () => {
    await h.send('hola');
    await h.send('1');
    const lock = createAuthLock({ redis, keyPrefix: h.keyPrefix });
    for (let i = 0; i < 3; i += 1) await lock.recordFailure(conversation.key);
    const crm = nock(CRM).post(LOOKUP).reply(200, { found: true, customer: suspended });
    const locked = await h.send('52123456');
    expect(texts(locked)).toContain('pausamos la validación');
    expect(texts(locked)).toContain(EMERGENCY_PHONE);
    expect(crm.isDone()).toBe(false);
  });

  it('returns no messages for an event delivered twice', async () => {
    expect(await h.send('hola', 'wamid.same')).toHaveLength(1);
    expect(await h.send('hola', 'wamid.same')).toEqual([]);
  });

  it('rejects text that cannot be a document without calling the CRM', async () => {
    await h.send('hola');
    await h.send('2');
    expect(texts(await h.send('mi cédula es abc'))).toContain('solo con números');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('tells the user the system is busy, with EMERGENCY_PHONE, when the CRM fails twice', async () => {
    nock(CRM).post(LOOKUP).times(2).reply(503);
    await h.send('hola');
    await h.send('1');
    const busy = await h.send('1020304050');
    expect(texts(busy)).toContain('ocupado');
    expect(texts(busy)).toContain(EMERGENCY_PHONE);
  });

  it('shows the account summary right after authenticating for option 1', async () => {
    nock(CRM).post(LOOKUP).reply(200, { found: true, customer: { customerId: '9', customerName: 'Luisa', serviceSuspended: false, plan: 'Hogar 100 Mbps', balance: 0 } });
    await h.send('hola');
    await h.send(tap('v1:menu.account'));
    const summary = await h.send('52123456');
    expect(texts(summary)).toContain('Plan: Hogar 100 Mbps');
    // Authentication lasts for the session: option 1 again needs no document.
    expect(texts(await h.send('1'))).toContain('Saldo: $0');
  });

  it('asks for the document again once the session expired', async () => {
    nock(CRM).post(LOOKUP).reply(200, { found: true, customer: { ...suspended, serviceSuspended: false } });
    await h.send('hola');
    await h.send('1');
    await h.send('52123456');
    await redis.del(sessionKey());
    await h.send('hola');
    expect(texts(await h.send('1'))).toContain('número de documento');
  });

  it('apologises with EMERGENCY_PHONE and returns to the menu when the handover cannot be opened', async () => {
    nock(CRM).post(LOOKUP).reply(200, { found: true, customer: suspended });
    h.failPorts.handover = true;
    await h.send('hola');
    await h.send('asesor');
    const failed = await h.send('1020304050');
    expect(texts(failed)).toContain(EMERGENCY_PHONE);
    expect(failed.at(-1)?.kind).toBe('list');
    expect(texts(await h.send('3'))).not.toContain('número de documento');
  });

  it('does not go on with a lead that could not be saved, and gives EMERGENCY_PHONE', async () => {
    h.failPorts.leads = true;
    await h.send('hola');
    await h.send('4');
    await h.send('1');
    const failed = await h.send('Ana');
    expect(texts(failed)).not.toContain('presupuesto');
    expect(texts(failed)).toContain(EMERGENCY_PHONE);
    expect(failed).toHaveLength(1);
    expect(replyIds(failed[0]!)).toContain('v1:menu.plans');
  });

  it.each([
    ['the budget', 0, 'instalarlo'],
    ['the timeline', 1, 'quien decide'],
    ['who decides', 2, 'te escribirá'],
  ])('apologises with EMERGENCY_PHONE and shows the menu when the answer about %s cannot be saved', async (_what, answered, next) => {
    await h.send('hola');
    await h.send('4');
    await h.send('1');
    await h.send('Ana');
    for (let i = 0; i < answered; i += 1) await h.send('sí');
    h.failPorts.leads = true;
    const failed = await h.send('sí');
    expect(texts(failed)).not.toContain(next);
    expect(texts(failed)).toContain(EMERGENCY_PHONE);
    expect(failed).toHaveLength(1);
    expect(replyIds(failed[0]!)).toContain('v1:menu.plans');
  });

  it('re-shows the current prompt after a tap on a stale menu', async () => {
    await h.send('hola');
    const stale = await h.send(tap('v1:confirm.yes'));
    expect(texts(stale)).toContain('ya no está disponible');
    expect(replyIds(stale[0]!)).toContain('v1:menu.plans');
  });

  it('answers media with "only text" and the current prompt', async () => {
    await h.send('hola');
    const media = await h.send({ kind: 'media', mediaType: 'audio' });
    expect(texts(media)).toContain('solo puedo leer');
  });

  it('ends the session politely on "salir"', async () => {
    await h.send('hola');
    expect(texts(await h.send('salir'))).toContain('Gracias');
    expect(await redis.exists(sessionKey())).toBe(0);
  });

  it('writes nothing for a reaction on first contact', async () => {
    expect(await h.send({ kind: 'media', mediaType: 'reaction' })).toEqual([]);
    expect(await redis.exists(sessionKey())).toBe(0);
  });

  it('shows the menu when the CRM gives the conversation back', async () => {
    nock(CRM).post(LOOKUP).reply(200, { found: true, customer: suspended });
    await h.send('hola');
    await h.send('asesor');
    await h.send('1020304050');
    const back = await h.bot.handoverEnded(conversation, 'crm.closed.1');
    expect(texts(back)).toContain('asesor terminó');
    expect(back.at(-1)?.kind).toBe('list');
  });
});
