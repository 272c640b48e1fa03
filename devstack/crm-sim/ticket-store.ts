/**
 * The CRM's side of the tickets: opened by Puente's agent request, fed by the user's relayed
 * messages and Puente's ticket events, and moved by the agent (take → active, resolve → closed).
 * Redeliveries are expected (Puente retries after a timeout), so a repeated agent request or
 * `messageId` is recorded once.
 */
import type { SimTicket } from './types.js';

const CLOSING_EVENTS = new Set(['assignment_timeout', 'idle_timeout', 'customer_left', 'closed']);
const ESCALATION: Record<string, string> = { baja: 'media', media: 'alta', alta: 'alta' };

type Json = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export class TicketStore {
  private readonly byId = new Map<string, SimTicket>();

  constructor(
    private readonly now: () => Date,
    private readonly changed: (ticket: SimTicket) => void,
  ) {}

  /** Newest first, as copies: callers cannot change the store behind its back. */
  list(): SimTicket[] {
    return [...this.byId.values()].reverse().map((t) => structuredClone(t));
  }

  get(ticketId: string): SimTicket | undefined {
    return this.byId.get(ticketId);
  }

  /** Records the agent request as a pending ticket; false when it was already known (a redelivery). */
  open(body: Json & { ticketId: string; userPhone: string }): boolean {
    if (this.byId.has(body.ticketId)) return false;
    const context = typeof body['userContext'] === 'object' && body['userContext'] !== null ? (body['userContext'] as Json) : {};
    const customerName = str(context['customerName']);
    const category = str(body['category']);
    const priority = str(body['priority']);
    const ticket: SimTicket = {
      ticketId: body.ticketId,
      userPhone: body.userPhone,
      ...(customerName === undefined ? {} : { customerName }),
      ...(category === undefined ? {} : { category }),
      ...(priority === undefined ? {} : { priority }),
      status: 'pending',
      createdAt: this.now().toISOString(),
      request: body,
      userMessages: [],
      events: [],
    };
    this.byId.set(ticket.ticketId, ticket);
    this.changed(ticket);
    return true;
  }

  /** Appends a relayed user message; false for a `messageId` already recorded. */
  addUserMessage(ticket: SimTicket, body: Json): boolean {
    const messageId = str(body['messageId']);
    if (messageId !== undefined && ticket.userMessages.some((m) => (m as Json)['messageId'] === messageId)) return false;
    ticket.userMessages.push(body);
    this.changed(ticket);
    return true;
  }

  /** Records a ticket event and what it means here: an escalation raises the priority, the others close. */
  addEvent(ticket: SimTicket, body: Json & { event: string }): void {
    ticket.events.push(body);
    if (body.event === 'assignment_timeout_warning' && ticket.priority !== undefined) ticket.priority = ESCALATION[ticket.priority] ?? ticket.priority;
    if (CLOSING_EVENTS.has(body.event)) ticket.status = 'closed';
    this.changed(ticket);
  }

  assign(ticket: SimTicket, agent: { id: string; name: string }): void {
    ticket.status = 'active';
    ticket.agent = { ...agent };
    this.changed(ticket);
  }

  close(ticket: SimTicket): void {
    ticket.status = 'closed';
    this.changed(ticket);
  }
}
