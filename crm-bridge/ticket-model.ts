/**
 * Handover tickets (collection `tickets`). The "one open ticket per user" rule lives in the database:
 * `open: true` is set while a ticket is pending/active and unset on close, and a unique index
 * partial on `{ open: true }` lets at most one such document exist per conversation.
 */
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { addOutbox } from '../src/platform/events/outbox.js';
import { modelOn } from '../src/platform/mongo/model.js';
import {
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  type AgentRequestUserContext,
  type CrmAgentAssigned,
  type TicketCategory,
  type TicketPriority,
} from '../src/crm/crm-payloads.js';

export { TICKET_CATEGORIES, TICKET_PRIORITIES, type TicketCategory, type TicketPriority };

export const TICKET_STATUSES = ['pending', 'active', 'closed'] as const;
/** `pending` (waiting for an agent) → `active` (agent assigned) → `closed`. */
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Why a ticket closed: a closed list, so reports and the CRM can rely on it. */
export const CLOSE_REASONS = ['agent_resolved', 'customer_left', 'assignment_timeout', 'idle_timeout', 'error'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** How the agent was assigned: the CRM handover endpoint or Meta's thread-control handover. */
export const AGENT_VIA = ['crm', 'meta'] as const;
export type AgentVia = (typeof AGENT_VIA)[number];

export const CRM_NOTIFICATION_STATES = ['pending', 'sent', 'failed'] as const;
/** Delivery state of the agent request to the CRM. */
export type CrmNotificationState = (typeof CRM_NOTIFICATION_STATES)[number];

/** Highest `escalationLevel`: an unassigned ticket is escalated at most twice. */
export const MAX_ESCALATION_LEVEL = 2;

/** The customer as authentication found them; `extra` keeps any further CRM fields. */
export interface TicketCustomer {
  customerId?: string;
  customerName?: string;
  serviceSuspended?: boolean;
  extra?: Record<string, unknown>;
}

export interface TicketAgent {
  id: string;
  name: string;
  via: AgentVia;
}

export interface TicketCrmNotification {
  state: CrmNotificationState;
  /** Attempts made so far (each recorded outcome counts one). */
  attempts: number;
  lastError?: string;
  sentAt?: Date;
  /** The agent the CRM named in its agent-request answer, if any. */
  agentAssigned?: CrmAgentAssigned;
}

/** A ticket as stored (plain object, as returned by the store). */
export interface Ticket {
  _id: Types.ObjectId;
  /** `TK-YYYY-NNNNNN`. */
  ticketId: string;
  /** `${phoneNumberId}:${waId}`: the conversation lane key. */
  conversationKey: string;
  phoneNumberId: string;
  /** The user's wa_id, e.g. `573001234567`. */
  userPhone: string;
  customer: TicketCustomer;
  /** The exact `userContext` sent to the CRM in the agent request, kept for audit. */
  userContext: AgentRequestUserContext;
  category: TicketCategory;
  priority: TicketPriority;
  status: TicketStatus;
  /** `true` while pending/active; absent once closed (the partial unique index keys on it). */
  open?: true;
  assignedAgent?: TicketAgent;
  startTime: Date;
  /** First assignment (a reassignment to another agent keeps it). */
  assignedAt?: Date;
  firstAgentMessageAt?: Date;
  lastActivity: Date;
  closedAt?: Date;
  closeReason?: CloseReason;
  messageCount: number;
  escalated: boolean;
  escalationLevel: number;
  /** Last escalation time. */
  escalatedAt?: Date;
  crmNotification: TicketCrmNotification;
  /** Set when the user asked to leave and has to confirm; null otherwise. */
  leaveRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Name of the unique partial index enforcing one open ticket per conversation. */
export const ONE_OPEN_TICKET_INDEX = 'one_open_ticket_per_conversation';

const agentSchema = new Schema<TicketAgent>(
  { id: { type: String, required: true }, name: { type: String, required: true }, via: { type: String, enum: AGENT_VIA, required: true } },
  { _id: false },
);

const crmAgentSchema = new Schema<CrmAgentAssigned>(
  { id: { type: String, required: true }, name: { type: String, required: true }, estimatedResponseTime: String },
  { _id: false },
);

const ticketSchema = new Schema<Ticket>(
  {
    ticketId: { type: String, required: true },
    conversationKey: { type: String, required: true },
    phoneNumberId: { type: String, required: true },
    userPhone: { type: String, required: true },
    customer: {
      customerId: String,
      customerName: String,
      serviceSuspended: Boolean,
      extra: Schema.Types.Mixed,
    },
    userContext: { type: Schema.Types.Mixed, required: true },
    category: { type: String, enum: TICKET_CATEGORIES, required: true },
    priority: { type: String, enum: TICKET_PRIORITIES, required: true },
    status: { type: String, enum: TICKET_STATUSES, required: true, default: 'pending' },
    // No default: a default would be re-applied on read, and the field must be truly absent when closed.
    open: { type: Boolean },
    assignedAgent: { type: agentSchema },
    startTime: { type: Date, required: true },
    assignedAt: Date,
    // No default either: `$min` in recordActivity sets it only while it is missing.
    firstAgentMessageAt: Date,
    lastActivity: { type: Date, required: true },
    closedAt: Date,
    closeReason: { type: String, enum: CLOSE_REASONS },
    messageCount: { type: Number, required: true, default: 0, min: 0 },
    escalated: { type: Boolean, required: true, default: false },
    escalationLevel: { type: Number, required: true, default: 0, min: 0, max: MAX_ESCALATION_LEVEL },
    escalatedAt: Date,
    crmNotification: {
      state: { type: String, enum: CRM_NOTIFICATION_STATES, required: true, default: 'pending' },
      attempts: { type: Number, required: true, default: 0 },
      lastError: String,
      sentAt: Date,
      agentAssigned: { type: crmAgentSchema },
    },
    leaveRequestedAt: { type: Date, default: null },
  },
  // autoIndex on the schema wins over the connection setting: the one-open rule must never depend on config.
  { timestamps: true, collection: 'tickets', autoIndex: true },
);
// ticket.created / .updated / .closed are recorded with the change itself (src/platform/events/outbox.ts).
addOutbox(ticketSchema);
ticketSchema.index({ ticketId: 1 }, { unique: true });
ticketSchema.index({ conversationKey: 1 }, { name: ONE_OPEN_TICKET_INDEX, unique: true, partialFilterExpression: { open: true } });
// Timers sweep "pending/active tickets idle since …".
ticketSchema.index({ status: 1, lastActivity: 1 });
/** The open tickets by status (the `puente_tickets_open` gauge): only open tickets are in it, so it stays small. */
ticketSchema.index({ open: 1, status: 1 }, { name: 'open_tickets_by_status', partialFilterExpression: { open: true } });
/** A conversation's tickets by close time (a message the close overtook in the lane, see `findClosedSince`). */
ticketSchema.index({ conversationKey: 1, closedAt: -1 });
/** The retention purge (src/privacy/retention.ts): closed tickets by close time (only closed tickets have one). */
ticketSchema.index({ closedAt: 1 }, { sparse: true });
/** Erasure (src/privacy/erasure.ts): one user's tickets on every number. */
ticketSchema.index({ userPhone: 1 });

export type TicketModel = Model<Ticket>;

/** The `Ticket` model on `connection` (registered once per connection). */
export function ticketModel(connection: Connection): TicketModel {
  return modelOn(connection, 'Ticket', ticketSchema);
}
