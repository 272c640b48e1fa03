/**
 * Issue 6's metrics and log lines, read the way ops read them: Prometheus text from /metrics and
 * the structured pino events, over one real handover (with one failed CRM call on the way).
 */
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../helpers/deps.js';
import { waitFor } from '../helpers/redis.js';
import { useRoad, type Road } from '../helpers/road.js';
import { textOf } from '../helpers/transcript.js';
import { assignAgent, CRM_URL, crmCall, recordCrm, userWithOpenTicket } from './support/handover.js';

describe('handover metrics and log events', () => {
  const { logger, lines } = memoryLogger('info');
  const roadOf = useRoad({}, { logger });
  let road: Road;
  beforeEach(() => {
    road = roadOf();
  });

  /** The value of one sample of the Prometheus text, e.g. `metric('puente_tickets_open', 'status="active"')`; 0 when absent. */
  async function metric(name: string, labels = ''): Promise<number> {
    const text = await (await road.ops.request('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)
      ? labels.split(',').filter(Boolean).every((pair) => l.includes(pair))
      : false);
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  it('counts the ticket, its assignment, first agent reply, resolution and a failed CRM call, and logs the contract\'s events', async () => {
    const samples = async () => ({
      opened: await metric('puente_tickets_opened_total', 'category="soporte_agente",priority="media"'),
      assigned: await metric('puente_ticket_time_to_assignment_seconds_count'),
      firstResponse: await metric('puente_ticket_agent_first_response_seconds_count'),
      resolved: await metric('puente_ticket_resolution_seconds_count', 'reason="agent_resolved"'),
      crmFailures: await metric('puente_crm_call_failures_total', 'endpoint="user-message"'),
      active: await metric('puente_tickets_open', 'status="active"'),
    });
    const before = await samples();
    // The CRM answers the first relayed user message with 503; the relay retries it.
    nock(CRM_URL).post('/api/bot/user-message').reply(503, { error: 'maintenance' });
    const crm = recordCrm();
    const { user, graph, ticket } = await userWithOpenTicket(road, '573720000001');
    await waitFor(() => crm.at('/api/bot/agent-request').length === 1, 10_000, 'the agent request');
    await assignAgent(road, ticket);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('se unió')));
    expect(await metric('puente_tickets_open', 'status="active"')).toBe(before.active + 1);

    for (const text of ['Hola, soy María', '¿En qué te ayudo?']) {
      expect((await crmCall(road, 'POST', '/api/crm/send-message', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', message: text, messageType: 'text' })).status).toBe(200);
    }
    await user.say('Mi internet no funciona', 0);
    await waitFor(() => crm.at('/api/bot/user-message').length === 1, 15_000, 'the relayed message after the retry');
    await waitFor(() => graph.to(user.user).some((m) => textOf(m) === '¿En qué te ayudo?'));
    expect((await crmCall(road, 'POST', '/api/crm/handover', { ticketId: ticket.ticketId, userPhone: user.user, agentId: 'agent_001', handoverType: 'human_to_bot' })).status).toBe(200);
    await waitFor(() => graph.to(user.user).some((m) => textOf(m).includes('Tu consulta quedó resuelta')));

    expect(await samples()).toEqual({
      opened: before.opened + 1,
      assigned: before.assigned + 1,
      firstResponse: before.firstResponse + 1,
      resolved: before.resolved + 1,
      crmFailures: before.crmFailures + 1,
      active: before.active,
    });

    const events = lines.map((l) => JSON.parse(l) as { event?: string; ticketId?: string; msg: string }).filter((r) => r.ticketId === ticket.ticketId && r.event);
    expect(events.map((e) => [e.event, e.msg])).toEqual([
      ['ticket_opened', 'handover ticket opened'],
      ['agent_required', `AGENTE REQUERIDO: ticket ${ticket.ticketId}`],
      ['handover_completed', `Handover completado: Bot→Humano - ${ticket.ticketId}`],
      ['control_returned', `Control regresado: Humano→Bot - ${ticket.ticketId}`],
    ]);
  }, 40_000);
});
