/**
 * Ticket persistence. Every state change is one atomic conditional update (`findOneAndUpdate` whose
 * filter states the precondition), so API and worker processes may call it concurrently; a lost race
 * is resolved by re-reading, never by overwriting.
 */
import type { Connection, UpdateQuery } from 'mongoose';
import { mergeUpdates, newEvent, noEvents, outboxFields, outboxUpdate, type EventRecorder } from '../src/platform/events/outbox.js';
import type { EventType, PuenteEvent } from '../src/platform/events/types.js';
import { createBulkWriter, createKeyedLoader } from '../src/platform/mongo/batch.js';
import type { AgentRequestUserContext, CrmAgentAssigned } from '../src/crm/crm-payloads.js';
import { nextTicketId } from './ticket-ids.js';
import {
  MAX_ESCALATION_LEVEL,
  ONE_OPEN_TICKET_INDEX,
  ticketModel,
  type CloseReason,
  type CrmNotificationState,
  type Ticket,
  type TicketAgent,
  type TicketCategory,
  type TicketCustomer,
  type TicketPriority,
} from './ticket-model.js';

/** Input of {@link TicketStore.open}. */
export interface OpenTicketInput {
  /** `${phoneNumberId}:${waId}`. */
  conversationKey: string;
  phoneNumberId: string;
  /** wa_id. */
  userPhone: string;
  customer: TicketCustomer;
  /** The exact `userContext` of the agent request (see `buildAgentRequest`). */
  userContext: AgentRequestUserContext;
  category: TicketCategory;
  priority: TicketPriority;
  now: Date;
}

/** A state change: the ticket after it, and whether this call changed anything. */
export interface TicketChange {
  ticket: Ticket;
  changed: boolean;
}

/** Who produced a message counted by {@link TicketStore.recordActivity}. */
export type ActivitySource = 'user' | 'agent' | 'bot';

/** Input of {@link TicketStore.recordCrmNotification}; each call counts one attempt. */
export interface CrmNotificationUpdate {
  state: CrmNotificationState;
  lastError?: string;
  agentAssigned?: CrmAgentAssigned;
  now: Date;
}

/** Ticket operations; every method returns plain objects. */
export interface TicketStore {
  /**
   * Opens a pending ticket, or returns the conversation's already open one (`created: false`), so a
   * repeated or concurrent request for the same person yields exactly one ticket. Ids consumed by
   * an insert that lost the race are skipped (ids have gaps).
   */
  open(input: OpenTicketInput): Promise<{ ticket: Ticket; created: boolean }>;
  findById(ticketId: string): Promise<Ticket | null>;
  /** The pending/active ticket of a conversation, if any. */
  findOpen(conversationKey: string): Promise<Ticket | null>;
  /** The conversation's ticket that was open when the user sent a message at `sentAt` (second resolution) and has closed since. */
  findClosedSince(conversationKey: string, sentAt: Date): Promise<Ticket | null>;
  /** pending → active; the same agent again is a no-op; another agent on an active ticket is a transfer. */
  activate(ticketId: string, agent: TicketAgent, now: Date): Promise<TicketChange | { error: 'not_found' | 'closed' }>;
  /** Closes an open ticket; closing a closed one is a no-op that keeps the original reason. */
  close(ticketId: string, reason: CloseReason, now: Date): Promise<TicketChange | { error: 'not_found' }>;
  /** While pending and below level 2: one priority step up (alta stays alta) and one level more. */
  escalate(ticketId: string, now: Date): Promise<TicketChange | { error: 'not_found' }>;
  /**
   * Counts a message on an open ticket (a closed or unknown ticket is left alone). An agent's first
   * message also sets `firstAgentMessageAt`, once.
   */
  recordActivity(ticketId: string, activity: { now: Date; from: ActivitySource }): Promise<void>;
  /** Records one agent-request attempt's outcome (any ticket status); null when unknown. */
  recordCrmNotification(ticketId: string, update: CrmNotificationUpdate): Promise<Ticket | null>;
  /** Marks that the user asked to leave an open ticket and must confirm; null when unknown or closed. */
  requestLeave(ticketId: string, now: Date): Promise<Ticket | null>;
  clearLeaveRequest(ticketId: string): Promise<Ticket | null>;
  /** Open tickets by status, for the metrics gauge. */
  countOpenByStatus(): Promise<{ pending: number; active: number }>;
  /** Tickets of these conversations an agent closed as resolved since `since` (a lead's completed handovers). */
  countResolvedSince(conversationKeys: readonly string[], since: Date): Promise<number>;
}

const AFTER = { returnDocument: 'after' } as const;
const NEXT_PRIORITY: Record<TicketPriority, TicketPriority> = { baja: 'media', media: 'alta', alta: 'alta' };
/** Rounds of "conditional update, then re-read" before a lost race is reported as a bug. */
const MAX_ROUNDS = 3;

/** A ticket as its events carry it (src/platform/events/catalog.ts, `EventTicket`). */
export function ticketEventSnapshot(t: Pick<Ticket, 'ticketId' | 'status' | 'category' | 'priority' | 'userPhone' | 'phoneNumberId' | 'customer' | 'assignedAgent' | 'closeReason' | 'createdAt'>, at: Date): Record<string, unknown> {
  return {
    ticket_id: t.ticketId,
    status: t.status,
    category: t.category,
    priority: t.priority,
    user_phone: t.userPhone,
    phone_number_id: t.phoneNumberId,
    customer_id: t.customer?.customerId ?? null,
    agent: t.assignedAgent ? { id: t.assignedAgent.id, name: t.assignedAgent.name ?? null } : null,
    close_reason: t.closeReason ?? null,
    created_at: (t.createdAt ?? at).toISOString(),
    updated_at: at.toISOString(),
  };
}

/** What the store needs to record ticket events: the recorder, and which organization owns a number. */
export interface TicketEventDeps {
  events: EventRecorder;
  orgForNumber(phoneNumberId: string): Promise<string>;
}

const TICKET_EVENTS: EventType[] = ['ticket.created', 'ticket.updated', 'ticket.closed'];

/**
 * Creates the store on `connection`. The ticket indexes are ensured before the first `open`.
 * With `eventDeps`, each state change records its event in the same update (the ticket's outbox).
 */
export function createTicketStore(connection: Connection, eventDeps: TicketEventDeps = { events: noEvents, orgForNumber: async () => 'default' }): TicketStore {
  const Tickets = ticketModel(connection);
  const { events } = eventDeps;

  /** The event of a change, if the number's organization wants it. */
  async function ticketEvent(type: EventType, after: Parameters<typeof ticketEventSnapshot>[0], at: Date, extra: Record<string, unknown> = {}): Promise<PuenteEvent[]> {
    const orgId = await eventDeps.orgForNumber(after.phoneNumberId);
    if (!(await events.wanted(orgId, TICKET_EVENTS)).has(type)) return [];
    return [newEvent(type, orgId, { type: 'ticket', id: after.ticketId }, { ticket: ticketEventSnapshot(after, at), ...extra }, at)];
  }
  /** A conditional change with its events: the filter states what the events assumed. */
  async function changeWithEvents(filter: Record<string, unknown>, change: UpdateQuery<Ticket>, recorded: PuenteEvent[]): Promise<Ticket | null> {
    const updated = await update(filter, recorded.length ? (mergeUpdates(change as Record<string, unknown>, outboxUpdate(recorded)) as UpdateQuery<Ticket>) : change);
    if (updated && recorded.length) events.flush(Tickets.collection.collectionName, { _id: updated._id });
    return updated;
  }
  /** The filter that holds only while the ticket is as `current` says (what an event built from it assumed). */
  const asRead = (current: Ticket) => ({ ticketId: current.ticketId, status: current.status, priority: current.priority, 'assignedAgent.id': current.assignedAgent?.id ?? null });
  // Memoized by mongoose; the one-open rule needs the partial unique index in place before inserting.
  const ready = () => Tickets.init();

  // The two reads on every message (the gate's open-ticket check, an agent message's ticket) are
  // group reads straight on the driver: one query per event-loop turn instead of one per message.
  const byId = createKeyedLoader<Ticket>((ids) => Tickets.collection.find<Ticket>({ ticketId: { $in: ids } }).toArray(), (t) => t.ticketId);
  const openByConversation = createKeyedLoader<Ticket>((keys) => Tickets.collection.find<Ticket>({ conversationKey: { $in: keys }, open: true }).toArray(), (t) => t.conversationKey);
  // The write on every relayed message (both ways) is a group commit too: one bulkWrite per turn.
  const activity = createBulkWriter(Tickets.collection);
  const findById = (ticketId: string) => byId.load(ticketId);
  const findOpen = (conversationKey: string) => openByConversation.load(conversationKey);
  const update = (filter: Record<string, unknown>, change: UpdateQuery<Ticket>) =>
    Tickets.findOneAndUpdate(filter, change, AFTER).lean<Ticket>().exec();

  async function insert(input: OpenTicketInput): Promise<Ticket | null> {
    const { now, ...fields } = input;
    const ticketId = await nextTicketId(connection, now);
    const recorded = await ticketEvent('ticket.created', { ...fields, ticketId, status: 'pending', createdAt: now }, now);
    try {
      const doc = await Tickets.create({
        ...fields, ticketId, status: 'pending', open: true, startTime: now, lastActivity: now,
        crmNotification: { state: 'pending', attempts: 0 },
        ...outboxFields(recorded),
      });
      if (recorded.length) events.flush(Tickets.collection.collectionName, { _id: doc._id });
      return doc.toObject<Ticket>();
    } catch (err) {
      if (isOpenTicketConflict(err)) return null;
      throw err;
    }
  }

  return {
    findById,
    findOpen,
    findClosedSince: (conversationKey, sentAt) =>
      Tickets.findOne({ conversationKey, status: 'closed', startTime: { $lt: new Date(sentAt.getTime() + 1_000) }, closedAt: { $gte: sentAt } })
        .sort({ closedAt: -1 })
        .lean<Ticket>()
        .exec(),

    async open(input) {
      await ready();
      for (let round = 0; ; round += 1) {
        // Looking first spares a counter id in the common "asked again while waiting" case.
        const existing = await findOpen(input.conversationKey);
        if (existing) return { ticket: existing, created: false };
        if (round === 2) throw new Error(`could not open a ticket for ${input.conversationKey}: open ticket keeps changing`);
        const ticket = await insert(input);
        if (ticket) return { ticket, created: true };
        // Lost the race to a concurrent open: loop to return the winner (or retry once if it closed meanwhile).
      }
    },

    async activate(ticketId, agent, now) {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const current = round === 0 ? await findById(ticketId) : await Tickets.findOne({ ticketId }).lean<Ticket>();
        if (!current) return { error: 'not_found' };
        if (current.status === 'closed') return { error: 'closed' };
        if (current.status === 'active' && current.assignedAgent?.id === agent.id) return { ticket: current, changed: false };
        // pending → active; or a transfer: the CRM names another agent for an active ticket (assignedAt keeps the first assignment).
        const assigning = current.status === 'pending';
        const set = assigning ? { status: 'active' as const, assignedAgent: agent, assignedAt: now, lastActivity: now } : { assignedAgent: agent, lastActivity: now };
        const recorded = await ticketEvent('ticket.updated', { ...current, ...set }, now, { change: assigning ? 'assigned' : 'transferred' });
        const changed = await changeWithEvents(asRead(current), { $set: set }, recorded);
        if (changed) return { ticket: changed, changed: true };
        // Changed between our read and our update (another agent, an escalation, a close): read again.
      }
      throw new Error(`ticket ${ticketId}: activation kept racing with other updates`);
    },

    async close(ticketId, reason, now) {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const current = round === 0 ? await findById(ticketId) : await Tickets.findOne({ ticketId }).lean<Ticket>();
        if (!current) return { error: 'not_found' };
        if (current.status === 'closed') return { ticket: current, changed: false };
        const recorded = await ticketEvent('ticket.closed', { ...current, status: 'closed', closeReason: reason }, now);
        const closed = await changeWithEvents(asRead(current), { $set: { status: 'closed', closedAt: now, closeReason: reason, leaveRequestedAt: null }, $unset: { open: 1 } }, recorded);
        if (closed) return { ticket: closed, changed: true };
      }
      throw new Error(`ticket ${ticketId}: closing kept racing with other updates`);
    },

    async escalate(ticketId, now) {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const current = await findById(ticketId);
        if (!current) return { error: 'not_found' };
        if (current.status !== 'pending' || current.escalationLevel >= MAX_ESCALATION_LEVEL) return { ticket: current, changed: false };
        // escalationLevel acts as the version: a concurrent escalation makes this update miss and we re-read.
        const recorded = await ticketEvent('ticket.updated', { ...current, priority: NEXT_PRIORITY[current.priority] }, now, { change: 'escalated' });
        const escalated = await changeWithEvents(
          { ...asRead(current), escalationLevel: current.escalationLevel },
          { $set: { priority: NEXT_PRIORITY[current.priority], escalated: true, escalatedAt: now }, $inc: { escalationLevel: 1 } },
          recorded,
        );
        if (escalated) return { ticket: escalated, changed: true };
      }
      throw new Error(`ticket ${ticketId}: escalation kept racing with other updates`);
    },

    recordActivity(ticketId, { now, from }) {
      // $max keeps lastActivity monotonic if a late update carries an older time; $min on the absent
      // firstAgentMessageAt sets it once and never moves it later: both atomic in one update.
      // Runs on every relayed message, so it goes to the driver directly (no mongoose casting, hence
      // updatedAt set here) and returns nothing: no document to read back and decode per message.
      const change: Record<string, Record<string, unknown>> = { $max: { lastActivity: now }, $inc: { messageCount: 1 }, $set: { updatedAt: new Date() } };
      if (from === 'agent') change.$min = { firstAgentMessageAt: now };
      return activity.write({ updateOne: { filter: { ticketId, open: true }, update: change } });
    },

    recordCrmNotification(ticketId, { state, lastError, agentAssigned, now }) {
      const set: Record<string, unknown> = { 'crmNotification.state': state };
      const unset: Record<string, 1> = {};
      if (lastError !== undefined) set['crmNotification.lastError'] = lastError.slice(0, 500);
      else if (state === 'sent') unset['crmNotification.lastError'] = 1;
      if (state === 'sent') set['crmNotification.sentAt'] = now;
      if (agentAssigned) set['crmNotification.agentAssigned'] = agentAssigned;
      const change: UpdateQuery<Ticket> = { $set: set, $inc: { 'crmNotification.attempts': 1 } };
      if (Object.keys(unset).length > 0) change.$unset = unset;
      return update({ ticketId }, change);
    },

    requestLeave: (ticketId, now) => update({ ticketId, open: true }, { $set: { leaveRequestedAt: now } }),
    clearLeaveRequest: (ticketId) => update({ ticketId }, { $set: { leaveRequestedAt: null } }),

    async countResolvedSince(conversationKeys, since) {
      if (conversationKeys.length === 0) return 0;
      return Tickets.countDocuments({ conversationKey: { $in: [...conversationKeys] }, closedAt: { $gte: since }, closeReason: 'agent_resolved' });
    },
    async countOpenByStatus() {
      // Served by the partial index `open_tickets_by_status` ({open, status}, open tickets only): no collection scan.
      const rows = await Tickets.aggregate<{ _id: string; n: number }>([
        { $match: { open: true } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ]);
      const counts = { pending: 0, active: 0 };
      for (const row of rows) if (row._id === 'pending' || row._id === 'active') counts[row._id] = row.n;
      return counts;
    },
  };
}

/** E11000 on the one-open-ticket index (not, say, on ticketId, which would be a real bug). */
function isOpenTicketConflict(err: unknown): boolean {
  const e = err as { code?: unknown; keyPattern?: unknown; message?: unknown };
  if (e.code !== 11000) return false;
  if (e.keyPattern && typeof e.keyPattern === 'object') return 'conversationKey' in e.keyPattern;
  return typeof e.message === 'string' && e.message.includes(ONE_OPEN_TICKET_INDEX);
}
