/**
 * Transcripts of what an authenticated customer (or anyone, for plans) can do through the real
 * lane: the service summary, troubleshooting, talking to a person (a real ticket through the CRM
 * bridge) and plans → a name and three qualification questions, saved as a lead.
 */
import { describe, expect, it } from 'vitest';
import { formatCop } from '../../bot/format-es.js';
import { es } from '../../bot/messages.es.js';
import { loadPlansCatalog } from '../../bot/plans.js';
import { bridgeEs } from '../../crm-bridge/messages.es.js';
import { leadModels } from '../../src/leads/models.js';
import { optionIdsOf, textOf } from '../helpers/transcript.js';
import {
  BUDGET, CONFIRM, DECIDER, EMERGENCY_PHONE, MAIN_MENU, PHONE_ID, SUPPORT_TOPICS, TIMELINE, activeCustomer, crmAcceptsAgentRequests, crmFinds,
  expectMainMenu, expectPlansList, expectQuestion, replyId, suspendedCustomer, talk, useRoad, type CrmCustomer,
} from './support/bot-transcript.js';

const catalog = loadPlansCatalog();

describe('bot self-service, through the real lane', () => {
  const road = useRoad();
  const leadsOf = (waId: string) => leadModels(road().deps.mongo.connection).Lead.find({ 'contact.phone': waId }).lean();

  /** "hola", an option that needs identity, then the document the CRM knows: returns the answers to it. */
  async function authenticated(waId: string, option: string, customer: CrmCustomer) {
    const user = talk(road(), waId);
    await user.say('hola');
    await user.say(option);
    const document = waId.slice(-8);
    crmFinds(document, customer);
    return { user, document };
  }

  describe('1 – Mi servicio y factura', () => {
    it('shows what the CRM sent: plan, status, balance in pesos and the due date in Spanish, then the menu', async () => {
      const { user, document } = await authenticated('573600000201', '1', activeCustomer);

      const [ok, summary] = await user.say(document, 2);
      expect(textOf(ok!)).toBe(es.auth.ok('Juan'));
      const lines = [
        es.account.title('Juan'),
        es.account.plan('Hogar 300 Mbps'),
        es.account.status(es.account.active),
        es.account.balance('$89.900'),
        es.account.dueDate('20 de junio de 2025'),
      ];
      expectMainMenu(summary, [lines.join('\n')]);
    });

    it('tells a suspended customer so and points them to a person', async () => {
      const { user, document } = await authenticated('573600000202', '1', suspendedCustomer);

      const [, summary] = await user.say(document, 2);
      const lines = [es.account.title('Rosa'), es.account.plan('Hogar 100 Mbps'), es.account.status(es.account.suspended), es.account.balance('$139.800'), es.account.dueDate('20 de mayo de 2025')];
      expectMainMenu(summary, [lines.join('\n'), es.account.suspendedHelp]);
    });
  });

  describe('2 – Soporte técnico', () => {
    it('shows the steps for the chosen problem and, when it is solved, cheers and shows the menu', async () => {
      const { user, document } = await authenticated('573600000203', '2', activeCustomer);

      const [ok, topics] = await user.say(document, 2);
      expect(textOf(ok!)).toBe(es.auth.ok('Juan'));
      expect(textOf(topics!)).toBe(es.support.question);
      expect(topics!.interactive!.action.buttons!.map((b) => b.reply.title)).toEqual(Object.values(es.support.topics));
      expect(optionIdsOf(topics!)).toEqual(SUPPORT_TOPICS);

      const [steps] = await user.say('está muy lento');
      expect(textOf(steps!)).toBe(`${es.support.steps.slow}\n\n${es.support.solvedQuestion}`);
      expect(optionIdsOf(steps!)).toEqual(CONFIRM);

      expectMainMenu((await user.say('Sí, ya funciona'))[0], [es.support.solved]);
    });

    it('hands over to a person when it is not solved: "Conectando con un asesor…" and a soporte_agente ticket at priority media', async () => {
      const { user, document } = await authenticated('573600000204', '2', activeCustomer);
      await user.say(document, 2);
      const [steps] = await user.tapButton(replyId('support', 'no_internet'), es.support.topics.no_internet);
      expect(textOf(steps!)).toBe(`${es.support.steps.no_internet}\n\n${es.support.solvedQuestion}`);

      const crm = crmAcceptsAgentRequests();
      expect(await user.tapButton(CONFIRM[1]!, es.support.no, 0)).toEqual([]); // the bot itself says nothing more
      await user.receives('Conectando con un asesor');
      expect(textOf(user.graph.to(user.user).at(-1)!)).toBe(bridgeEs.connecting);

      const ticket = await road().deps.bridge.tickets.findOpen(user.key);
      expect(ticket).toMatchObject({ category: 'soporte_agente', priority: 'media', status: 'pending', userPhone: user.user, customer: { customerId: activeCustomer.customerId } });
      expect(await crm.received()).toMatchObject({ ticketId: ticket!.ticketId, category: 'soporte_agente', priority: 'media', serviceSuspended: false });
    });
  });

  describe('3 – Hablar con un asesor', () => {
    it('validates identity first, then "Conectando con un asesor…" (in that order) and a soporte_agente ticket at priority media', async () => {
      const user = talk(road(), '573600000205');
      await user.say('hola');
      const [ask] = await user.tap(MAIN_MENU[2]!, es.menu.options.agent.title);
      expect(textOf(ask!)).toBe(`${es.auth.introForAgent}\n\n${es.auth.ask} ${es.auth.orCall(EMERGENCY_PHONE)}`);

      crmFinds('00000205', activeCustomer);
      const crm = crmAcceptsAgentRequests();
      expect((await user.say('00000205')).map(textOf)).toEqual([es.auth.ok('Juan')]);
      await user.receives('Conectando con un asesor');
      expect(user.graph.to(user.user).slice(-2).map(textOf)).toEqual([es.auth.ok('Juan'), bridgeEs.connecting]);

      const ticket = await road().deps.bridge.tickets.findOpen(`${PHONE_ID}:573600000205`);
      expect(ticket).toMatchObject({ category: 'soporte_agente', priority: 'media', status: 'pending' });
      expect(await crm.received()).toMatchObject({
        ticketId: ticket!.ticketId,
        userPhone: '573600000205',
        userContext: { customerId: activeCustomer.customerId, customerName: activeCustomer.customerName, isAuthenticated: true },
      });
    });

    it('hands an already authenticated, suspended customer straight over: a reactivacion_servicio ticket at priority alta', async () => {
      const { user, document } = await authenticated('573600000206', '1', suspendedCustomer);
      await user.say(document, 2);

      const crm = crmAcceptsAgentRequests();
      expect(await user.say('quiero hablar con un asesor', 0)).toEqual([]);
      await user.receives('Conectando con un asesor');

      const ticket = await road().deps.bridge.tickets.findOpen(user.key);
      expect(ticket).toMatchObject({ category: 'reactivacion_servicio', priority: 'alta', customer: { customerId: suspendedCustomer.customerId, serviceSuspended: true } });
      expect(await crm.received()).toMatchObject({ ticketId: ticket!.ticketId, category: 'reactivacion_servicio', priority: 'alta', serviceSuspended: true });
    });
  });

  describe('4 – Planes y promociones', () => {
    it('lists the plans with their prices, takes a plan and a name without asking for identity, asks the three qualification questions, and stores the lead', async () => {
      const user = talk(road(), '573600000207');
      await user.say('hola');

      const [list] = await user.tap(MAIN_MENU[3]!, es.menu.options.plans.title);
      expectPlansList(list);
      const prices = catalog.plans.map((p) => es.plans.line(p.name, formatCop(p.monthlyPriceCop)));
      expect(textOf(list!)).toBe(`${[es.plans.intro, ...prices].join('\n')}\n\n${es.plans.question}`);
      expect(list!.interactive!.action.sections![0]!.rows.map((r) => r.title)).toEqual(catalog.plans.map((p) => p.name));

      expect((await user.tap(replyId('plan', 'hogar-500'), 'Hogar 500 Mbps')).map(textOf)).toEqual([es.plans.askName('Hogar 500 Mbps')]);
      expect((await user.say('12345')).map(textOf)).toEqual([`${es.plans.nameHint}\n\n${es.plans.nameQuestion}`]);
      // The name saves the lead (no answers yet); then the questions, one at a time, Sí / No.
      expectQuestion((await user.say('  Ana   María ')).at(0), BUDGET, es.plans.budgetQuestion('Hogar 500 Mbps'), [es.plans.questionsIntro('Ana María')]);
      expectQuestion((await user.tapButton(BUDGET[0]!, es.plans.yes)).at(0), TIMELINE, es.plans.timelineQuestion);
      expectQuestion((await user.tapButton(TIMELINE[1]!, es.plans.no)).at(0), DECIDER, es.plans.deciderQuestion);
      const thanks = await user.tapButton(DECIDER[0]!, es.plans.yes);
      expect(thanks).toHaveLength(1);
      expectMainMenu(thanks[0], [es.plans.thanks('Ana María', 'Hogar 500 Mbps')]);
      // Stored through the leads module: the user's open WhatsApp lead, as a contact named Ana María.
      expect(await leadsOf('573600000207')).toEqual([
        expect.objectContaining({
          source: 'whatsapp',
          stage: 'lead',
          open: true,
          contact: expect.objectContaining({ name: 'Ana María', phone: '573600000207' }),
          custom_fields: { product_interest: 'Hogar 500 Mbps', plan_id: 'hogar-500', name_given: 'Ana María' },
          qualification_data: { budget_confirmed: true, timeline_defined: false, decision_maker_involved: true },
        }),
      ]);
    });

    it('reads typed plan numbers and typed answers, and asking again for a plan starts the questions over', async () => {
      const user = talk(road(), '573600000208');
      await user.say('hola');

      await user.say('4');
      expect((await user.say('2')).map(textOf)).toEqual([es.plans.askName('Hogar 300 Mbps')]);
      expectQuestion((await user.say('Pedro')).at(0), BUDGET, es.plans.budgetQuestion('Hogar 300 Mbps'), [es.plans.questionsIntro('Pedro')]);
      expectQuestion((await user.say('Sí')).at(0), TIMELINE, es.plans.timelineQuestion);
      expectQuestion((await user.say('todavía no')).at(0), DECIDER, es.plans.deciderQuestion);
      expectMainMenu((await user.say('claro, soy yo')).at(0), [es.plans.thanks('Pedro', 'Hogar 300 Mbps')]);

      await user.say('planes');
      await user.say('la 2');
      expectQuestion((await user.say('Pedro Gómez')).at(0), BUDGET, es.plans.budgetQuestion('Hogar 300 Mbps'), [es.plans.questionsIntro('Pedro Gómez')]);
      expectQuestion((await user.say('1')).at(0), TIMELINE, es.plans.timelineQuestion);
      expectQuestion((await user.say('2')).at(0), DECIDER, es.plans.deciderQuestion);
      expectMainMenu((await user.say('no')).at(0), [es.plans.thanks('Pedro Gómez', 'Hogar 300 Mbps')]);
      // One open lead, updated with the latest answers, never a second one.
      const leads = await leadsOf('573600000208');
      expect(leads).toHaveLength(1);
      expect(leads[0]).toMatchObject({ custom_fields: { plan_id: 'hogar-300', name_given: 'Pedro Gómez' }, qualification_data: { budget_confirmed: true, timeline_defined: false, decision_maker_involved: false } });
    });

    it('re-asks a question with a hint when the answer is not a yes or a no, and lets the user leave the questions', async () => {
      const user = talk(road(), '573600000209');
      await user.say('hola');
      await user.say('4');
      await user.say('3');
      expectQuestion((await user.say('Lucía')).at(0), BUDGET, es.plans.budgetQuestion('Hogar 500 Mbps'), [es.plans.questionsIntro('Lucía')]);

      expectQuestion((await user.say('no sé')).at(0), BUDGET, es.plans.budgetQuestion('Hogar 500 Mbps'), [es.plans.answerHint]);
      expectQuestion((await user.sendImage()).at(0), BUDGET, es.plans.budgetQuestion('Hogar 500 Mbps'), [es.general.mediaNotSupported]);
      expectQuestion((await user.say('dale')).at(0), TIMELINE, es.plans.timelineQuestion);
      expectMainMenu((await user.say('menú')).at(0));
      expect((await user.say('salir')).map(textOf)).toEqual([es.general.goodbye]);
    });
  });
});
