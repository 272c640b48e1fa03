import { beforeEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/whatsapp/signature.js';
import { testEnv } from '../helpers/deps.js';
import { waitFor } from '../helpers/redis.js';
import { textWebhook, useRoad, type Road } from '../helpers/road.js';
import { optionIdsOf, recordGraph, textOf, userOf } from '../helpers/transcript.js';
import { ticketModel } from '../../crm-bridge/ticket-model.js';
import { PHONE_ID, assignAgent, crmCall, crmKnowsCustomer, recordCrm, userWithOpenTicket } from './support/handover.js';
import type { BridgeLaneItem } from '../../crm-bridge/lane-items.js';

describe('handover to a person and back (the sequence of docs/crm-contract.md)', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  it('walks the whole sequence: ticket, agent request, agent joins, messages both ways, back to the menu', async () => {
    const crm = recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573700000001', true);

    // Bot → CRM: a reactivation ticket at high priority, announced with the contract's agent-request body.
    expect(ticket).toMatchObject({ status: 'pending', category: 'reactivacion_servicio', priority: 'alta' });
    expect(ticket.ticketId).toMatch(/^TK-\d{4}-\d{6}$/);
    await waitFor(() => crm.at('/api/bot/agent-request').length === 1, 10_000, 'the agent request');
    const request = crm.at('/api/bot/agent-request')[0]!;
    expect(Object.keys(request.body)).toEqual(['ticketId', 'userPhone', 'userContext', 'priority', 'category', 'serviceSuspended', 'requestTime']);
    expect(request.body).toMatchObject({
      ticketId: ticket.ticketId,
      userPhone: '573700000001',
      userContext: { phoneNumber: '573700000001', customerId: 'C-00000001', customerName: 'Juan Pérez', isAuthenticated: true, sessionInfo: { hasActiveSession: true } },
      priority: 'alta',
      category: 'reactivacion_servicio',
      serviceSuspended: true,
    });
    expect(request.headers.authorization).toBe(`Bearer ${testEnv.BOT_API_TOKEN}`);
    expect(request.headers['x-bot-signature']).toBe(signBody(testEnv.BOT_SIGNATURE_SECRET, JSON.stringify(request.body)));
    expect(String(request.headers['user-agent'])).toMatch(/^Puente\/\d+\.\d+\.\d+$/);

    // CRM → bot: an agent is assigned and the user is told who joined.
    const assigned = await assignAgent(road, ticket);
    expect(await assigned.json()).toEqual({ success: true, message: 'Handover processed successfully', ticketId: ticket.ticketId });
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).startsWith('María González se unió a la conversación')));

    // The agent writes; the user receives it.
    const sent = await crmCall(road, 'POST', '/api/crm/send-message', {
      ticketId: ticket.ticketId,
      userPhone: user.user,
      agentId: 'agent_001',
      message: 'Hola, soy María y te ayudaré con la reactivación de tu servicio.',
      messageType: 'text',
      timestamp: new Date().toISOString(),
    });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ success: true, message: 'Message sent successfully', ticketId: ticket.ticketId, messageId: expect.any(String) });
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).startsWith('Hola, soy María')));

    // The user answers; the bot stays silent and the CRM receives it.
    const silent = await user.say('Gracias, ya pagué la factura', 0);
    expect(silent).toEqual([]);
    await waitFor(() => crm.at('/api/bot/user-message').length === 1);
    expect(crm.at('/api/bot/user-message')[0]!.body).toMatchObject({ ticketId: ticket.ticketId, userPhone: user.user, messageType: 'text', text: 'Gracias, ya pagué la factura' });

    const status = await (await crmCall(road, 'GET', `/api/crm/handover-status/${ticket.ticketId}`)).json();
    expect(status).toMatchObject({ ticketId: ticket.ticketId, status: 'active', assignedAgent: { id: 'agent_001', name: 'María González' }, messageCount: 2 });

    // The agent resolves it: the user is told and gets the main menu; the bot answers again.
    const before = graph.to(user.user).length;
    const back = await crmCall(road, 'POST', '/api/crm/handover', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', agentName: 'María González', handoverType: 'human_to_bot' });
    expect(back.status).toBe(200);
    await waitFor(() => graph.to(user.user).length >= before + 2);
    const closing = graph.to(user.user).slice(before);
    expect(textOf(closing[0]!)).toContain('Tu consulta quedó resuelta');
    expect(optionIdsOf(closing[closing.length - 1]!)).toContain('v1:menu.agent');
    expect((await road.deps.bridge.tickets.findById(ticket.ticketId))).toMatchObject({ status: 'closed', closeReason: 'agent_resolved' });
    const [menuAgain] = await user.say('menú');
    expect(optionIdsOf(menuAgain!)).toEqual(['v1:menu.account', 'v1:menu.support', 'v1:menu.agent', 'v1:menu.plans']);

    // The ticket's conversation holds the user's, the bot's and the agent's messages with delivery status.
    const log = (await (await crmCall(road, 'GET', `/api/crm/tickets/${ticket.ticketId}/messages?limit=50`)).json()) as { total: number; messages: { author: string; text?: string; status: string }[] };
    expect(log.messages.map((m) => m.author)).toEqual(expect.arrayContaining(['user', 'bot', 'agent']));
    expect(log.messages.find((m) => m.author === 'agent')).toMatchObject({ text: expect.stringContaining('Hola, soy María'), status: 'accepted' });
  });

  it('opens one ticket when an authenticated user asks for a person twice at once', async () => {
    recordCrm();
    const graph = recordGraph();
    const user = userOf(road, graph, '573700000002');
    await user.say('hola');
    await user.tap('v1:menu.account', '1. Mi servicio y factura');
    crmKnowsCustomer('70000002', false);
    await user.say('70000002');
    await Promise.all([user.say('quiero un asesor', 0), user.say('asesor por favor', 0)]);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).startsWith('Conectando con un asesor')));
    const tickets = await ticketModel(road.deps.mongo.connection).find({ conversationKey: `${PHONE_ID}:573700000002` }).lean();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ status: 'pending', category: 'soporte_agente', priority: 'media' });
  });

  it('relays 50 rapid agent messages to the user in the order the CRM sent them', async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573700000003');
    await assignAgent(road, ticket);
    const firstResponses = async () => {
      const text = await (await road.ops.request('/metrics')).text();
      return Number(/^puente_ticket_agent_first_response_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = { ticket: await road.deps.bridge.tickets.findById(ticket.ticketId), firstResponses: await firstResponses() };
    for (let i = 0; i < 50; i++) {
      const res = await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: `mensaje ${i}`, messageType: 'text' });
      expect(res.status).toBe(200);
    }
    const agentTexts = () => graph.to(user.user).map(textOf).filter((t) => t.startsWith('mensaje '));
    await waitFor(() => agentTexts().length === 50, 20_000, '50 agent messages');
    expect(agentTexts()).toEqual(Array.from({ length: 50 }, (_, i) => `mensaje ${i}`));
    // Every message counted on the ticket; the first one alone is the agent's first response.
    const after = await road.deps.bridge.tickets.findById(ticket.ticketId);
    expect(before.ticket?.firstAgentMessageAt).toBeUndefined();
    expect(after?.messageCount).toBe((before.ticket?.messageCount ?? 0) + 50);
    expect(after?.firstAgentMessageAt).toBeInstanceOf(Date);
    expect(await firstResponses()).toBe(before.firstResponses + 1);
  });

  it("delivers the agent's last messages before the close notice when the agent resolves right after sending them", async () => {
    recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573700000007');
    await assignAgent(road, ticket);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('se unió a la conversación')));
    const before = graph.to(user.user).length;
    // Each call answered 200 before the next, as a CRM does; nothing waits for the user to receive them.
    for (const text of ['Listo, ya quedó activo tu servicio.', '¿Algo más en que te pueda ayudar?', '¡Que tengas buen día!']) {
      const sent = await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: text, messageType: 'text' });
      expect(sent.status).toBe(200);
    }
    const back = await crmCall(road, 'POST', '/api/crm/handover', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', agentName: 'María González', handoverType: 'human_to_bot' });
    expect(back.status).toBe(200);
    await waitFor(() => graph.to(user.user).slice(before).some((m) => optionIdsOf(m).includes('v1:menu.agent')), 10_000, 'the main menu');
    const texts = graph.to(user.user).slice(before).map(textOf);
    expect(texts.slice(0, 4)).toEqual(['Listo, ya quedó activo tu servicio.', '¿Algo más en que te pueda ayudar?', '¡Que tengas buen día!', expect.stringContaining('Tu consulta quedó resuelta')]);
  });

  it('sends the CRM a message the user wrote just before the agent resolved, when the close overtook it', async () => {
    const crm = recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573700000009');
    await assignAgent(road, ticket);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('se unió a la conversación')));
    await new Promise((r) => setTimeout(r, 1_100)); // written a whole second after the ticket opened
    const writtenAt = Math.floor(Date.now() / 1000);
    const before = graph.to(user.user).length;
    // human_to_bot's two steps with the user's message between them: the ticket closes in MongoDB,
    // the message (written before) reaches the lane, then the close notice is queued behind it.
    await road.deps.bridge.tickets.close(ticket.ticketId, 'agent_resolved', new Date());
    const raw = JSON.stringify(textWebhook(user.user, 'wamid.late-goodbye', 'Gracias, hasta luego', writtenAt));
    const posted = await road.app.request('/webhook', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
    expect(posted.status).toBe(200);
    const closed = `${ticket.ticketId}.closed`;
    const item: BridgeLaneItem = { id: closed, kind: 'handover_closed', ticketId: ticket.ticketId, reason: 'agent_resolved' };
    await road.deps.conversations.lanes.push([{ lane: ticket.conversationKey, item, dedupeKey: closed }]);

    await waitFor(() => crm.at('/api/bot/user-message').some((c) => c.body.text === 'Gracias, hasta luego'), 10_000, 'the message at the CRM');
    expect(crm.at('/api/bot/user-message').find((c) => c.body.text === 'Gracias, hasta luego')!.body).toMatchObject({ ticketId: ticket.ticketId, messageId: 'wamid.late-goodbye' });
    await waitFor(() => graph.to(user.user).slice(before).some((m) => optionIdsOf(m).includes('v1:menu.agent')), 10_000, 'the main menu');
    // The bot said nothing to it: the first thing the user gets is the close notice.
    expect(textOf(graph.to(user.user)[before]!)).toContain('Tu consulta quedó resuelta');
    const log = (await (await crmCall(road, 'GET', `/api/crm/tickets/${ticket.ticketId}/messages?limit=50`)).json()) as { messages: { text?: string }[] };
    expect(log.messages.map((m) => m.text)).toContain('Gracias, hasta luego');
  });

  it('asks before letting the user leave the agent, then closes the ticket as customer_left', async () => {
    const crm = recordCrm();
    const { user, ticket } = await userWithOpenTicket(road, '573700000004');
    await assignAgent(road, ticket);
    const [question] = await user.say('salir');
    expect(textOf(question!)).toContain('¿Quieres terminar la conversación con el asesor');
    expect(optionIdsOf(question!)).toEqual(['handover.leave.yes', 'handover.leave.no']);
    const [stay] = await user.tapButton('handover.leave.no', 'No, seguir');
    expect(textOf(stay!)).toContain('sigues en la conversación');
    expect((await road.deps.bridge.tickets.findById(ticket.ticketId))?.status).toBe('active');

    await user.say('menú');
    const bye = await user.tapButton('handover.leave.yes', 'Sí, terminar', 2);
    expect(textOf(bye[0]!)).toContain('terminamos la conversación con el asesor');
    expect(optionIdsOf(bye[bye.length - 1]!)).toContain('v1:menu.plans');
    expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ status: 'closed', closeReason: 'customer_left' });
    await waitFor(() => crm.at('/api/bot/ticket-event').some((c) => c.body.event === 'customer_left'));
  });

  it('relays media with its id, type and caption to the CRM', async () => {
    const crm = recordCrm();
    const { user, ticket } = await userWithOpenTicket(road, '573700000005');
    await assignAgent(road, ticket);
    await user.sendImage(0);
    await waitFor(() => crm.at('/api/bot/user-message').length === 1);
    expect(crm.at('/api/bot/user-message')[0]!.body).toMatchObject({
      ticketId: ticket.ticketId,
      messageType: 'image',
      media: { id: '1003383421387256', mimeType: 'image/jpeg', caption: 'foto del módem' },
    });
  });

  it('lets a user who never asked for a person keep talking to the bot', async () => {
    const graph = recordGraph();
    const user = userOf(road, graph, '573700000006');
    const [menu] = await user.say('hola');
    expect(optionIdsOf(menu!)).toContain('v1:menu.plans');
    expect(await road.deps.bridge.tickets.findOpen(`${testEnv.WHATSAPP_PHONE_NUMBER_ID}:573700000006`)).toBeNull();
  });
});
