import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/redis.js';
import { useRoad, type Road } from '../helpers/road.js';
import { optionIdsOf, recordGraph, textOf } from '../helpers/transcript.js';
import { CRM_URL, assignAgent, recordCrm, userWithOpenTicket } from './support/handover.js';

const EMERGENCY = '3242156679';

describe('handover timeouts (short settings)', () => {
  const roadOf = useRoad({ HANDOVER_ASSIGN_TIMEOUT_SECONDS: '1', HANDOVER_IDLE_TIMEOUT_SECONDS: '1' });
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  it('escalates a ticket nobody took, then closes it and gives the user back to the bot', async () => {
    const crm = recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573720000001');
    expect(ticket.priority).toBe('media');

    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('asesores están ocupados')), 10_000, 'the busy notice');
    const busy = graph.to(user.user).find((m) => textOf(m).includes('asesores están ocupados'))!;
    expect(textOf(busy)).toContain(EMERGENCY);
    expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ status: 'pending', escalated: true, priority: 'alta' });
    await waitFor(() => crm.at('/api/bot/ticket-event').some((c) => c.body.event === 'assignment_timeout_warning'));

    await waitFor(async () => (await road.deps.bridge.tickets.findById(ticket.ticketId))?.status === 'closed', 10_000, 'the close');
    expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ closeReason: 'assignment_timeout' });
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('No logramos conectarte')));
    await waitFor(() => optionIdsOf(graph.to(user.user).at(-1)!).includes('v1:menu.agent'));
    await waitFor(() => crm.at('/api/bot/ticket-event').some((c) => c.body.event === 'assignment_timeout'));
  }, 20_000);

  it('ignores the assignment timer once an agent took the ticket, and closes it when idle', async () => {
    const crm = recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573720000002');
    await assignAgent(road, ticket);
    await waitFor(async () => (await road.deps.bridge.tickets.findById(ticket.ticketId))?.status === 'closed', 10_000, 'the idle close');
    const closed = await road.deps.bridge.tickets.findById(ticket.ticketId);
    expect(closed).toMatchObject({ closeReason: 'idle_timeout', escalated: false });
    await waitFor(() => crm.at('/api/bot/ticket-event').some((c) => c.body.event === 'idle_timeout'));
    expect(graph.to(user.user).some((m) => textOf(m).includes('ocupados'))).toBe(false);

    // Silent close: the user meets the bot on their next message.
    const [answer] = await user.say('hola de nuevo');
    expect(optionIdsOf(answer!)).toContain('v1:menu.account');
  }, 20_000);
});

describe('CRM down, then up', () => {
  const roadOf = useRoad();
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  it('tells the user about the delay with the emergency phone, keeps the ticket pending and delivers the request once the CRM is back', async () => {
    const graph = recordGraph();
    let attempts = 0;
    nock(CRM_URL)
      .persist()
      .post('/api/bot/agent-request')
      .reply(() => (++attempts <= 3 ? [503, { error: 'maintenance' }] : [200, { success: true, agentAssigned: { id: 'agent_007', name: 'Pedro', estimatedResponseTime: '5-10 minutes' } }]));
    const { user, ticket } = await userWithOpenTicket(road, '573730000001', false, graph);

    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('demoras')), 15_000, 'the delay notice');
    expect(textOf(graph.to(user.user).find((m) => textOf(m).includes('demoras'))!)).toContain(EMERGENCY);
    const failing = await road.deps.bridge.tickets.findById(ticket.ticketId);
    expect(failing).toMatchObject({ status: 'pending', crmNotification: { state: 'failed' } });

    await waitFor(async () => (await road.deps.bridge.tickets.findById(ticket.ticketId))?.crmNotification.state === 'sent', 15_000, 'the CRM back');
    expect(attempts).toBe(4);
    expect(await road.deps.bridge.tickets.findById(ticket.ticketId)).toMatchObject({ status: 'pending', crmNotification: { agentAssigned: { id: 'agent_007', name: 'Pedro' } } });
    expect(graph.to(user.user).filter((m) => textOf(m).includes('demoras'))).toHaveLength(1);
  }, 40_000);
});
