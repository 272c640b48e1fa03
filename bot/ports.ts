import type { HandoverCategory, HandoverPriority, HandoverReason, PlanChoice } from './effects.js';
import type { Customer } from './snapshot.js';
import type { LeadQualification } from './lead-qualification.js';

/** The conversation an input belongs to, as the lane knows it. */
export interface BotConversation {
  /** Lane key, unique per (phone_number_id, wa_id); sessions and the auth lock are keyed by it. */
  key: string;
  /** The user's WhatsApp id, e.g. `573001234567` (sent to the CRM as their phone). */
  waId: string;
  /** The business number the user wrote to. */
  phoneNumberId: string;
  /** WhatsApp profile name, used in the greeting until the CRM tells us the real one. */
  profileName?: string;
}

/** Everything the CRM bridge needs to open a ticket and fill the agent-request body (docs/crm-contract.md). */
export interface HandoverRequest {
  conversation: BotConversation;
  customer: Customer;
  category: HandoverCategory;
  priority: HandoverPriority;
  reason: HandoverReason;
  /** ISO times for `userContext.sessionInfo.sessionStart` and `requestTime`/`lastActivity`. */
  sessionStartedAt: string;
  requestedAt: string;
}

/**
 * Implemented by the CRM bridge. Resolves once the ticket exists (at most one open per user, so a
 * repeated request for the same user must be harmless); rejects when it cannot be opened, and the
 * bot then apologises and gives EMERGENCY_PHONE.
 *
 * The bot itself sends nothing when it hands over: the bridge sends "Conectando con un asesor…".
 * Messages returned by the same `handle` call (e.g. "Ya validé tu identidad") go out when the lane
 * enqueues them after `handle` returns, so the bridge should send its own message from a later
 * lane job (e.g. when the CRM call succeeds) — not synchronously inside `requestHandover` — to
 * keep the order right.
 */
export interface HandoverPort {
  requestHandover(request: HandoverRequest): Promise<void>;
}

export type { LeadQualification } from './lead-qualification.js';

/**
 * A sales lead captured by option 4. Saved once when the user gives their name (no answers yet)
 * and again after each qualification answer, with every answer so far: the leads module creates
 * the user's open WhatsApp lead the first time and updates it after, so each save is idempotent.
 */
export interface LeadInput {
  /** wa_id of the user. */
  phone: string;
  name: string;
  plan: PlanChoice;
  source: 'whatsapp';
  phoneNumberId: string;
  qualification: LeadQualification;
}

/** Implemented by the leads module (`src/leads/`); rejects when the lead could not be stored. */
export interface LeadSink {
  saveLead(lead: LeadInput): Promise<void>;
}
