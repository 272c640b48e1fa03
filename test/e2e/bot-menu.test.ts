/**
 * Transcripts of the main menu through the real lane: first contact, the four options by number,
 * the contract's words, what the bot does with text it does not understand, stale buttons and
 * non-text input. Every message is also copy-reviewed (Meta's limits, no English).
 */
import { describe, expect, it } from 'vitest';
import { es } from '../../bot/messages.es.js';
import { waitFor } from '../helpers/redis.js';
import { textWebhook } from '../helpers/road.js';
import { optionIdsOf, textOf } from '../helpers/transcript.js';
import {
  BUDGET, DECIDER, EMERGENCY_PHONE, MAIN_MENU, OFFER_HELP, TIMELINE, expectMainMenu, expectPlansList, expectQuestion, replyId, talk, useRoad,
} from './support/bot-transcript.js';

const AUTH_PROMPT = `${es.auth.intro}\n\n${es.auth.ask}`;
const AUTH_PROMPT_FOR_AGENT = `${es.auth.introForAgent}\n\n${es.auth.ask} ${es.auth.orCall(EMERGENCY_PHONE)}`;

describe('bot main menu, through the real lane', () => {
  const road = useRoad();

  describe('first contact', () => {
    it('greets a first-time user by their WhatsApp first name and shows the four options of the contract', async () => {
      const camila = talk(road(), '573600000001', 'CAMILA restrepo');

      const answers = await camila.say('Buenas tardes');
      expect(answers).toHaveLength(1);
      expectMainMenu(answers[0], [es.greeting('Camila')], es.menu.firstQuestion);
      const menu = answers[0]!.interactive!;
      expect(menu.action.button).toBe(es.menu.button);
      expect(menu.action.sections?.[0]?.rows.map((r) => r.title)).toEqual(Object.values(es.menu.options).map((o) => o.title));
    });

    it('greets without a name when the profile name is only an emoji, whatever the first message is (here a stale tap)', async () => {
      const user = talk(road(), '573600000002', '🙂');

      const [menu] = await user.tap(replyId('plan', 'hogar-100'), 'Hogar 100 Mbps');
      expectMainMenu(menu, [es.greeting(undefined)], es.menu.firstQuestion);
      expect(textOf(menu!)).toMatch(/^¡Hola! 👋/);
    });
  });

  describe('the four options and the contract words', () => {
    it('reads typed option numbers: 1 and 2 ask for the document, 3 also gives the phone, 4 shows the plans; "menú"/"inicio"/"menu" go back', async () => {
      const user = talk(road(), '573600000003');
      await user.say('hola');

      expect((await user.say('1')).map(textOf)).toEqual([AUTH_PROMPT]);
      expectMainMenu((await user.say('Menú'))[0]);
      expect((await user.say('opción 2')).map(textOf)).toEqual([AUTH_PROMPT]);
      expectMainMenu((await user.say('inicio'))[0]);
      expect((await user.say('3')).map(textOf)).toEqual([AUTH_PROMPT_FOR_AGENT]);
      expectMainMenu((await user.say('menu'))[0]);
      expectPlansList((await user.say('4'))[0]);
    });

    it('reads the four options from taps on the list, and each contract word for a person ("humano", "agente", "asesor") from any state', async () => {
      const user = talk(road(), '573600000004');
      await user.say('hola');

      expect((await user.tap(MAIN_MENU[0]!, es.menu.options.account.title)).map(textOf)).toEqual([AUTH_PROMPT]);
      expect((await user.tap(MAIN_MENU[1]!, es.menu.options.support.title)).map(textOf)).toEqual([AUTH_PROMPT]);
      expect((await user.tap(MAIN_MENU[2]!, es.menu.options.agent.title)).map(textOf)).toEqual([AUTH_PROMPT_FOR_AGENT]);
      expectPlansList((await user.tap(MAIN_MENU[3]!, es.menu.options.plans.title))[0]);

      expect((await user.say('quiero hablar con un humano')).map(textOf)).toEqual([AUTH_PROMPT_FOR_AGENT]);
      expectPlansList((await user.tap(MAIN_MENU[3]!, es.menu.options.plans.title))[0]);
      expect((await user.say('Agente por favor')).map(textOf)).toEqual([AUTH_PROMPT_FOR_AGENT]);
      // The word wins even where a document number is expected.
      expect((await user.say('ASESOR')).map(textOf)).toEqual([AUTH_PROMPT_FOR_AGENT]);
    });

    it('"salir" says goodbye and ends the session: the next message is a first contact again', async () => {
      const user = talk(road(), '573600000005');
      await user.say('hola');
      await user.say('4');

      expect((await user.say('salir')).map(textOf)).toEqual([es.general.goodbye]);
      expectMainMenu((await user.say('3'))[0], [es.greeting('Camila')], es.menu.firstQuestion);
    });

    it('answers small talk in the middle of a conversation with the menu, not with "No te entendí"', async () => {
      const user = talk(road(), '573600000006');
      await user.say('hola');
      await user.say('4');

      expectMainMenu((await user.say('muchas gracias!'))[0]);
    });
  });

  describe('order', () => {
    it('answers messages typed in quick succession one by one, in the order they were written', async () => {
      const user = talk(road(), '573600000013');
      // Posted back to back, without waiting for any answer.
      const texts = ['hola', '4', '2', 'Laura', 'sí', 'no', '1'];
      for (const [n, text] of texts.entries()) {
        await road().postWebhook(textWebhook(user.user, `wamid.quick-${user.user}-${n}`, text));
      }
      await waitFor(() => user.graph.to(user.user).length >= texts.length, 10_000, `${texts.length} answers`);

      const [greeting, plans, askName, budget, timeline, decider, thanks] = user.graph.to(user.user);
      expectMainMenu(greeting, [es.greeting('Usuario')], es.menu.firstQuestion);
      expectPlansList(plans);
      expect(textOf(askName!)).toBe(es.plans.askName('Hogar 300 Mbps'));
      // Each answer is read against the question it follows: "sí" the budget, "no" the timeline, "1" who decides.
      expectQuestion(budget, BUDGET, es.plans.budgetQuestion('Hogar 300 Mbps'), [es.plans.questionsIntro('Laura')]);
      expectQuestion(timeline, TIMELINE, es.plans.timelineQuestion);
      expectQuestion(decider, DECIDER, es.plans.deciderQuestion);
      expectMainMenu(thanks, [es.plans.thanks('Laura', 'Hogar 300 Mbps')]);
      expect(user.graph.to(user.user)).toHaveLength(texts.length);
    });
  });

  describe('text the bot does not understand', () => {
    it('gives two hints, then offers the menu and a person with the emergency phone; the offered menu button works', async () => {
      const user = talk(road(), '573600000007');
      await user.say('hola');

      expectMainMenu((await user.say('quiero una pizza'))[0], [es.menu.hint]);
      expectMainMenu((await user.say('7'))[0], [es.menu.hint]);
      const [offer] = await user.say('???');
      expect(offer?.interactive?.type).toBe('button');
      expect(textOf(offer!)).toBe(es.general.offerHelp(EMERGENCY_PHONE));
      expect(optionIdsOf(offer!)).toEqual(OFFER_HELP);
      expect(offer!.interactive!.action.buttons!.map((b) => b.reply.title)).toEqual([es.general.offerMenu, es.general.offerAgent]);

      expectMainMenu((await user.tapButton(OFFER_HELP[0]!, es.general.offerMenu))[0]);
      // The count starts again: one more miss is a hint, not the offer.
      expectMainMenu((await user.say('zzz'))[0], [es.menu.hint]);
    });
  });

  describe('stale buttons', () => {
    it('a tap on a menu that is no longer on screen says so and re-shows the current menu', async () => {
      const user = talk(road(), '573600000008');
      await user.say('hola');

      expectMainMenu((await user.tapButton(replyId('support', 'slow'), 'Internet lento'))[0], [es.general.stale]);
      expectMainMenu((await user.tap(replyId('plan', 'hogar-300'), 'Hogar 300 Mbps'))[0], [es.general.stale]);
      expectMainMenu((await user.tapButton(replyId('confirm', 'yes'), es.support.yes))[0], [es.general.stale]);
      expectMainMenu((await user.tapButton(replyId('decider', 'yes'), es.plans.yes))[0], [es.general.stale]);
    });

    it('a "Sí" of an earlier qualification question does not answer the one on screen', async () => {
      const user = talk(road(), '573600000014');
      await user.say('hola');
      await user.say('4');
      await user.say('1');
      expectQuestion((await user.say('Marta'))[0], BUDGET, es.plans.budgetQuestion('Hogar 100 Mbps'), [es.plans.questionsIntro('Marta')]);
      expectQuestion((await user.tapButton(BUDGET[0]!, es.plans.yes))[0], TIMELINE, es.plans.timelineQuestion);

      // The budget's buttons are still on screen: a second tap on them is stale, not the timeline's answer.
      expectQuestion((await user.tapButton(BUDGET[1]!, es.plans.no))[0], TIMELINE, es.plans.timelineQuestion, [es.general.stale]);
      expectQuestion((await user.tapButton(TIMELINE[1]!, es.plans.no))[0], DECIDER, es.plans.deciderQuestion);
      expectQuestion((await user.tapButton(TIMELINE[0]!, es.plans.yes))[0], DECIDER, es.plans.deciderQuestion, [es.general.stale]);
      expectMainMenu((await user.tapButton(DECIDER[0]!, es.plans.yes))[0], [es.plans.thanks('Marta', 'Hogar 100 Mbps')]);
    });

    it('treats an older menu version and unknown plans as stale, but honours main-menu ids from any state, unversioned too', async () => {
      const user = talk(road(), '573600000009');
      await user.say('hola');
      await user.say('4');

      expectPlansList((await user.tap('v0:menu.plans', es.menu.options.plans.title))[0], [es.general.stale]);
      expectPlansList((await user.tap(replyId('plan', 'fibra-2000'), 'Fibra 2000'))[0], [es.general.stale]);
      // The contract's unversioned form, e.g. a campaign template's quick-reply payload.
      expectPlansList((await user.send({ type: 'button', button: { payload: 'menu.plans', text: 'Ver planes' } })).answers()[0]);
      // A main-menu row from an old list still on screen is accepted from the plans list.
      expect((await user.tap(MAIN_MENU[0]!, es.menu.options.account.title)).map(textOf)).toEqual([AUTH_PROMPT]);
    });
  });

  describe('non-text input', () => {
    it('an image as first contact gets the greeting and the menu', async () => {
      const user = talk(road(), '573600000010');
      expectMainMenu((await user.sendImage())[0], [es.greeting('Camila')], es.menu.firstQuestion);
    });

    it('audio, stickers, locations, Meta "unsupported" types and images get "solo puedo leer texto" and the current prompt, never silence', async () => {
      const user = talk(road(), '573600000011');
      await user.say('hola');
      await user.say('4');

      const audio = await user.send({ type: 'audio', audio: { id: '2001', mime_type: 'audio/ogg; codecs=opus', voice: true } });
      expectPlansList(audio.answers()[0], [es.general.mediaNotSupported]);
      const sticker = await user.send({ type: 'sticker', sticker: { id: '2002', mime_type: 'image/webp', animated: false } });
      expectPlansList(sticker.answers()[0], [es.general.mediaNotSupported]);
      const location = await user.send({ type: 'location', location: { latitude: 4.711, longitude: -74.0721, name: 'Casa' } });
      expectPlansList(location.answers()[0], [es.general.mediaNotSupported]);
      // Meta's own "unsupported" (a poll, a view-once message…).
      const poll = await user.send({ type: 'unsupported', unsupported: { type: 'poll_creation' }, errors: [{ code: 131051, title: 'Message type unknown' }] });
      expectPlansList(poll.answers()[0], [es.general.mediaNotSupported]);

      await user.say('menú');
      expectMainMenu((await user.sendImage())[0], [es.general.mediaNotSupported]);
    });

    it('does not answer a reaction, and the conversation goes on where it was', async () => {
      const user = talk(road(), '573600000012');
      await user.say('hola');
      expectPlansList((await user.say('4'))[0]);

      const reaction = await user.send({ type: 'reaction', reaction: { message_id: 'wamid.any', emoji: '👍' } }, 0);
      // Still in the plans list: "2" picks the second plan. The lane is ordered, so any answer
      // to the reaction would have been sent before this one.
      expect((await user.say('2')).map(textOf)).toEqual([es.plans.askName('Hogar 300 Mbps')]);
      expect(reaction.answers()).toEqual([]);
    });
  });
});
