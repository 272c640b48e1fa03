/**
 * Bodies of the calls Puente makes to the CRM (docs/crm-contract.md, "Calls Puente makes to the CRM").
 * Outbound bodies are typed from zod schemas so a fake CRM (tests, the lead's e2e) can validate what
 * it receives with the same definitions; the agent-request response schema is deliberately lenient.
 */
import { z } from 'zod';

/** The contract's categories and priorities (kept here so the ticket model and the client share them). */
export const TICKET_CATEGORIES = ['reactivacion_servicio', 'soporte_agente'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export const TICKET_PRIORITIES = ['alta', 'media', 'baja'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

const isoTime = z.iso.datetime({ offset: true });

/** `userContext` of the agent request, exactly as the contract fixes it (also stored on the ticket). */
export const agentRequestUserContextSchema = z.object({
  phoneNumber: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  isAuthenticated: z.boolean(),
  lastActivity: isoTime,
  sessionInfo: z.object({ hasActiveSession: z.boolean(), sessionStart: isoTime }),
});
export type AgentRequestUserContext = z.infer<typeof agentRequestUserContextSchema>;

/** `POST CRM_AGENT_NOTIFICATION_URL` body (docs/crm-contract.md, "Agent request"). */
export const agentRequestBodySchema = z.object({
  ticketId: z.string(),
  userPhone: z.string(),
  userContext: agentRequestUserContextSchema,
  priority: z.enum(TICKET_PRIORITIES),
  category: z.enum(TICKET_CATEGORIES),
  serviceSuspended: z.boolean(),
  requestTime: isoTime,
});
export type AgentRequestBody = z.infer<typeof agentRequestBodySchema>;

/** The agent the CRM says it assigned (ids may come as numbers; they are kept as strings). */
export const crmAgentAssignedSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  name: z.string().min(1),
  estimatedResponseTime: z.string().optional().catch(undefined),
});
export type CrmAgentAssigned = z.infer<typeof crmAgentAssignedSchema>;

/**
 * The agent request's expected answer. Lenient on purpose: unknown fields pass, and a malformed
 * `agentAssigned` is dropped (the CRM will still call `/api/crm/handover` when it assigns someone),
 * rather than failing a request the CRM did accept.
 */
export const agentRequestResponseSchema = z.looseObject({
  success: z.boolean().optional(),
  agentAssigned: crmAgentAssignedSchema.nullish().catch(undefined),
  ticketId: z.string().optional().catch(undefined),
});

/** What `agentRequest` resolves with: the CRM accepted the request, maybe with an agent already. */
export interface AgentRequestResponse {
  success: true;
  agentAssigned?: CrmAgentAssigned;
  /** Echoed by the CRM when it sent one. */
  ticketId?: string;
}

/** `POST ${CRM_BASE_URL}/api/bot/user-message`: one message the user wrote while a ticket is open. */
export const userMessageBodySchema = z.object({
  ticketId: z.string(),
  userPhone: z.string(),
  /** The WhatsApp message id (wamid), so the CRM can deduplicate redeliveries. */
  messageId: z.string(),
  /** WhatsApp message type (`text`, `image`, `document`, `audio`, …); open so new types pass through. */
  messageType: z.string(),
  text: z.string().optional(),
  media: z
    .object({ id: z.string(), mimeType: z.string(), caption: z.string().optional(), filename: z.string().optional() })
    .optional(),
  timestamp: isoTime,
});
export type UserMessageBody = z.infer<typeof userMessageBodySchema>;

/**
 * Ticket events the CRM did not cause itself. Add new names here; the schema and type follow.
 * `assignment_timeout_warning`: nobody took the ticket in time, it was escalated and still waits.
 * `message_failed`: an agent's message will never reach the user (`messageId`, `reason` = Meta's code and title).
 */
export const TICKET_EVENTS = ['assignment_timeout_warning', 'assignment_timeout', 'idle_timeout', 'customer_left', 'closed', 'message_failed'] as const;
export type TicketEventName = (typeof TICKET_EVENTS)[number];

/** `POST ${CRM_BASE_URL}/api/bot/ticket-event`. */
export const ticketEventBodySchema = z.object({
  ticketId: z.string(),
  userPhone: z.string(),
  event: z.enum(TICKET_EVENTS),
  reason: z.string().optional(),
  /** `message_failed`: the id send-message answered for the agent's message. */
  messageId: z.string().optional(),
  timestamp: isoTime,
});
export type TicketEventBody = z.infer<typeof ticketEventBodySchema>;

/** Input of {@link buildAgentRequest}: the ticket plus what the bot knows of the customer and session. */
export interface AgentRequestInput {
  ticketId: string;
  /** wa_id, e.g. `573001234567`; the contract sends it both as `userPhone` and `userContext.phoneNumber`. */
  userPhone: string;
  customer: { customerId: string; customerName: string; serviceSuspended: boolean };
  /** Only authenticated users are handed over, hence the default `true`. */
  isAuthenticated?: boolean;
  priority: TicketPriority;
  category: TicketCategory;
  /** When the bot session started (`sessionInfo.sessionStart`). */
  sessionStart: Date | string;
  /** Default `true`: a handover is requested from inside a live session. */
  hasActiveSession?: boolean;
  /** The user's last message time (`userContext.lastActivity`). */
  lastActivity: Date | string;
  requestTime: Date | string;
}

/**
 * Builds the agent-request body with the contract's exact fields and key order, times as ISO-8601 UTC.
 *
 * @throws RangeError when a time is not a valid date.
 */
export function buildAgentRequest(input: AgentRequestInput): AgentRequestBody {
  return {
    ticketId: input.ticketId,
    userPhone: input.userPhone,
    userContext: {
      phoneNumber: input.userPhone,
      customerId: input.customer.customerId,
      customerName: input.customer.customerName,
      isAuthenticated: input.isAuthenticated ?? true,
      lastActivity: toIso(input.lastActivity),
      sessionInfo: { hasActiveSession: input.hasActiveSession ?? true, sessionStart: toIso(input.sessionStart) },
    },
    priority: input.priority,
    category: input.category,
    serviceSuspended: input.customer.serviceSuspended,
    requestTime: toIso(input.requestTime),
  };
}

function toIso(value: Date | string): string {
  // Normalising strings too keeps every time in the body in the same `…Z` form.
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
