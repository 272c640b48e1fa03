/**
 * What the simulated agent did from this page, per ticket: the messages it sent and when it took or
 * resolved the ticket. The CRM simulator records what Puente sends it, not what its agent sends, so
 * the agent pane shows both sides of the chat from these and the tickets.
 */
import type { EventEmitter } from 'node:events';
import type { AgentMessageBody } from './schemas.js';

export type AgentActivity = (AgentMessageBody | { type: 'take' | 'resolve'; agentName?: string }) & { ticketId: string; at: string };

export interface AgentActivityLog {
  record(ticketId: string, entry: AgentMessageBody | { type: 'take' | 'resolve'; agentName?: string }): AgentActivity;
  /** Every ticket's activity, oldest first. */
  all(): Record<string, AgentActivity[]>;
}

/** Keeps the last `limit` entries per ticket; announces each on `events` as 'agent-activity'. */
export function createAgentActivityLog(events: EventEmitter, limit = 500): AgentActivityLog {
  const byTicket = new Map<string, AgentActivity[]>();
  return {
    record(ticketId, entry) {
      const activity: AgentActivity = { ...entry, ticketId, at: new Date().toISOString() };
      const list = byTicket.get(ticketId) ?? [];
      list.push(activity);
      if (list.length > limit) list.splice(0, list.length - limit);
      byTicket.set(ticketId, list);
      events.emit('agent-activity', activity);
      return activity;
    },
    all() {
      return Object.fromEntries(byTicket);
    },
  };
}
