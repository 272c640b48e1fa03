/**
 * Ticket persistence. Every state change is one atomic conditional update (`findOneAndUpdate` whose
 * filter states the precondition), so API and worker processes may call it concurrently; a lost race
 * is resolved by re-reading, never by overwriting.
 */
import type { Connection, UpdateQuery } from 'mongoose';
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
const OPEN_STATUSES = ['pending', 'active'];
const NEXT_PRIORITY: Record<TicketPriority, TicketPriority> = { baja: 'media', media: 'alta', alta: 'alta' };
/** Rounds of "conditional update, then re-read" before a lost race is reported as a bug. */
const MAX_ROUNDS = 3;

/** Creates the store on `connection`. The ticket indexes are ensured before the first `open`. */
export function createTicketStore(connection: Connection): TicketStore {
  const Tickets = ticketModel(connection);
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
    try {
      const doc = await Tickets.create({
        ...fields, ticketId, status: 'pending', open: true, startTime: now, lastActivity: now,
        crmNotification: { state: 'pending', attempts: 0 },
      });
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
        const assigned = await update({ ticketId, status: 'pending' }, { $set: { status: 'active', assignedAgent: agent, assignedAt: now, lastActivity: now } });
        if (assigned) return { ticket: assigned, changed: true };
        // A transfer: the CRM names another agent for an already active ticket. assignedAt keeps the first assignment.
        const transferred = await update(
          { ticketId, status: 'active', 'assignedAgent.id': { $ne: agent.id } },
          { $set: { assignedAgent: agent, lastActivity: now } },
        );
        if (transferred) return { ticket: transferred, changed: true };
        const current = await findById(ticketId);
        if (!current) return { error: 'not_found' };
        if (current.status === 'closed') return { error: 'closed' };
        if (current.assignedAgent?.id === agent.id) return { ticket: current, changed: false };
        // Someone else transferred it between our update and the read: try again.
      }
      throw new Error(`ticket ${ticketId}: activation kept racing with other updates`);
    },

    async close(ticketId, reason, now) {
      const closed = await update(
        { ticketId, status: { $in: OPEN_STATUSES } },
        { $set: { status: 'closed', closedAt: now, closeReason: reason, leaveRequestedAt: null }, $unset: { open: 1 } },
      );
      if (closed) return { ticket: closed, changed: true };
      const current = await findById(ticketId);
      // Not open and not closed would mean a status outside the enum: report it as missing rather than lie.
      return current?.status === 'closed' ? { ticket: current, changed: false } : { error: 'not_found' };
    },

    async escalate(ticketId, now) {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const current = await findById(ticketId);
        if (!current) return { error: 'not_found' };
        if (current.status !== 'pending' || current.escalationLevel >= MAX_ESCALATION_LEVEL) return { ticket: current, changed: false };
        // escalationLevel acts as the version: a concurrent escalation makes this update miss and we re-read.
        const escalated = await update(
          { ticketId, status: 'pending', escalationLevel: current.escalationLevel },
          { $set: { priority: NEXT_PRIORITY[current.priority], escalated: true, escalatedAt: now }, $inc: { escalationLevel: 1 } },
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
