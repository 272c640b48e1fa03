/**
 * Transcripts of customer authentication through the real lane and a nock'd CRM: success, wrong
 * documents and the lockout, the CRM down during the lookup, and authentication lasting only as
 * long as the session.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { es } from '../../bot/messages.es.js';
import { signBody } from '../../src/whatsapp/signature.js';
import { testEnv } from '../helpers/deps.js';
import { optionIdsOf, textOf } from '../helpers/transcript.js';
import {
  EMERGENCY_PHONE, MAIN_MENU, OFFER_HELP, SUPPORT_TOPICS, activeCustomer, anyLookup, crmFinds, crmLookup, expectMainMenu, talk, useRoad,
} from './support/bot-transcript.js';

const AUTH_PROMPT = `${es.auth.intro}\n\n${es.auth.ask}`;
/** The document prompt again, after a note (the intro is only said the first time). */
const askAgain = (note: string) => `${note}\n\n${es.auth.ask}`;
/** The same after option 3, which also offers the phone. */
const askAgainForAgent = (note: string) => `${askAgain(note)} ${es.auth.orCall(EMERGENCY_PHONE)}`;
const LOCKED = es.auth.locked(15, EMERGENCY_PHONE);
const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' });

describe('bot authentication, through the real lane and a nock\'d CRM', () => {
  const road = useRoad();

  it('authenticates a document typed with dots: one signed lookup with the digits and the phone, then greets by first name and goes on to option 1', async () => {
    const juan = talk(road(), '573600000101');
    await juan.say('hola');
    expect((await juan.tap(MAIN_MENU[0]!, es.menu.options.account.title)).map(textOf)).toEqual([AUTH_PROMPT]);

    const crm = crmFinds('10203040', activeCustomer);
    const [ok, summary] = await juan.say('10.203.040', 2);
    expect(textOf(ok!)).toBe(es.auth.ok('Juan'));
    expect(textOf(summary!)).toMatch(new RegExp(`^${es.account.title('Juan')}\\n`));
    expect(optionIdsOf(summary!)).toEqual(MAIN_MENU);

    expect(crm.calls).toHaveLength(1);
    const [call] = crm.calls;
    expect(call!.body).toEqual({ document: '10203040', phone: juan.user });
    expect(call!.headers.authorization).toBe(`Bearer ${testEnv.BOT_API_TOKEN}`);
    expect(call!.headers['x-bot-signature']).toBe(signBody(testEnv.BOT_SIGNATURE_SECRET, call!.raw));
    expect(String(call!.headers['user-agent'])).toMatch(/^Puente\/\d+\.\d+\.\d+/);

    // Authenticated for the rest of the session: option 2 goes straight to the topics, no new lookup.
    const [topics] = await juan.say('2');
    expect(textOf(topics!)).toBe(es.support.question);
    expect(optionIdsOf(topics!)).toEqual(SUPPORT_TOPICS);
    expect(crm.scope.isDone()).toBe(true);
  });

  it('counts wrong documents (2 tries left, 1 left), locks on the third with the emergency phone, and makes no CRM call while locked, even after "salir"', async () => {
    const user = talk(road(), '573600000102');
    await user.say('hola');
    await user.say('1');

    const misses = crmLookup('11111111', [404, { found: false }], [200, { found: false }], [404]);
    expect((await user.say('11111111')).map(textOf)).toEqual([askAgain(es.auth.notFound(2))]);
    expect((await user.say('11111111')).map(textOf)).toEqual([askAgain(es.auth.notFound(1))]);
    expectMainMenu((await user.say('11111111'))[0], [LOCKED]);
    expect(misses.scope.isDone()).toBe(true);

    const lookup = anyLookup();
    expectMainMenu((await user.say('1'))[0], [LOCKED]);
    expectMainMenu((await user.say('asesor'))[0], [LOCKED]);
    expectMainMenu((await user.tap(MAIN_MENU[1]!, es.menu.options.support.title))[0], [LOCKED]);
    expectMainMenu((await user.say('10203040'))[0], [es.menu.hint]); // a number out of the blue is not a lookup either
    expect((await user.say('salir')).map(textOf)).toEqual([es.general.goodbye]);
    await user.say('hola');
    expectMainMenu((await user.say('3'))[0], [LOCKED]);
    expect(lookup.isDone()).toBe(false);
  });

  it('forgets earlier misses once the right document is found', async () => {
    const user = talk(road(), '573600000103');
    await user.say('hola');
    await user.say('1');

    crmLookup('99999', [404]);
    expect((await user.say('99999')).map(textOf)).toEqual([askAgain(es.auth.notFound(2))]);
    crmFinds('10203040', activeCustomer);
    expect((await user.say('10203040', 2)).map(textOf)[0]).toBe(es.auth.ok('Juan'));

    // A new session (after "salir"): a miss is the first one again.
    await user.say('salir');
    await user.say('hola');
    await user.say('1');
    crmLookup('99999', [404]);
    expect((await user.say('99999')).map(textOf)).toEqual([askAgain(es.auth.notFound(2))]);
  });

  it('says the system is busy and gives the phone when the CRM answers 503 twice; the user types the document again once it is back', async () => {
    const user = talk(road(), '573600000104');
    await user.say('hola');
    await user.say('1');

    const down = crmLookup('10203040', [503], [503]);
    expect((await user.say('10203040')).map(textOf)).toEqual([askAgain(es.auth.busy(EMERGENCY_PHONE))]);
    expect(down.scope.isDone()).toBe(true); // the lookup retried once

    crmFinds('10203040', activeCustomer);
    const [ok, summary] = await user.say('10203040', 2);
    expect(textOf(ok!)).toBe(es.auth.ok('Juan'));
    expect(textOf(summary!)).toContain(es.account.plan('Hogar 300 Mbps'));
  });

  it('says the same when the CRM cannot be reached at all, without counting it as a wrong document', async () => {
    const user = talk(road(), '573600000105');
    await user.say('hola');
    await user.say('3');

    const unreachable = crmLookup('10203040', connectionRefused(), connectionRefused());
    const [busy] = await user.say('10203040');
    expect(textOf(busy!)).toBe(askAgainForAgent(es.auth.busy(EMERGENCY_PHONE)));
    expect(unreachable.scope.isDone()).toBe(true);

    crmLookup('55555', [404]);
    expect((await user.say('55555')).map(textOf)).toEqual([askAgainForAgent(es.auth.notFound(2))]);
  });

  it('retries a single CRM hiccup, so the user never notices it', async () => {
    const user = talk(road(), '573600000106');
    await user.say('hola');
    await user.say('1');

    const flaky = crmLookup('10203040', [502], [200, { found: true, customer: activeCustomer }]);
    expect((await user.say('10203040', 2)).map(textOf)[0]).toBe(es.auth.ok('Juan'));
    expect(flaky.calls).toHaveLength(2);
  });

  it('reports a CRM that refuses our token (401) as busy, without retrying', async () => {
    const user = talk(road(), '573600000107');
    await user.say('hola');
    await user.say('1');

    const refused = crmLookup('10203040', [401, { error: 'unauthorized' }]);
    const retry = crmLookup('10203040', [200, { found: true, customer: activeCustomer }]);
    expect((await user.say('10203040')).map(textOf)).toEqual([askAgain(es.auth.busy(EMERGENCY_PHONE))]);
    expect(refused.scope.isDone()).toBe(true);
    expect(retry.scope.isDone()).toBe(false);
  });

  it('hints at the format for text that cannot be a document, without any CRM call, then offers the menu and a person', async () => {
    const user = talk(road(), '573600000108');
    await user.say('hola');
    await user.say('1');

    const lookup = anyLookup();
    expect((await user.say('mi cédula es la CC 1020')).map(textOf)).toEqual([askAgain(es.auth.hint)]);
    expect((await user.say('1234')).map(textOf)).toEqual([askAgain(es.auth.hint)]);
    const [offer] = await user.say('1234567890123');
    expect(textOf(offer!)).toBe(es.general.offerHelp(EMERGENCY_PHONE));
    expect(optionIdsOf(offer!)).toEqual(OFFER_HELP);
    expect(lookup.isDone()).toBe(false);
  });
});

describe('bot authentication lasts for the session only (SESSION_TTL_SECONDS=1)', () => {
  const road = useRoad({ SESSION_TTL_SECONDS: '1' });

  it('asks for the document again when option 1 is chosen after the session expired', async () => {
    const user = talk(road(), '573600000109');
    await user.say('hola');
    await user.tap(MAIN_MENU[0]!, es.menu.options.account.title);
    const first = crmFinds('10203040', activeCustomer);
    expect((await user.say('10203040', 2)).map(textOf)[0]).toBe(es.auth.ok('Juan'));
    expect(first.scope.isDone()).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 2_200));

    // The main menu still on screen is accepted, but the customer must authenticate again.
    expect((await user.tap(MAIN_MENU[0]!, es.menu.options.account.title)).map(textOf)).toEqual([AUTH_PROMPT]);
    const second = crmFinds('10203040', activeCustomer);
    const [ok, summary] = await user.say('10203040', 2);
    expect(textOf(ok!)).toBe(es.auth.ok('Juan'));
    expect(textOf(summary!)).toContain(es.account.title('Juan'));
    expect(second.scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
