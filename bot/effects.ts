import type { LeadQualification } from './lead-qualification.js';
import type { Customer } from './snapshot.js';

/** A reply button: at most 3 per message, title ≤ 20 characters. */
export interface BotButton {
  id: string;
  title: string;
}

/** A list row: at most 10 rows per message, title ≤ 24, description ≤ 72 characters. */
export interface BotListRow {
  id: string;
  title: string;
  description?: string;
}

export interface BotListSection {
  title?: string;
  rows: BotListRow[];
}

/**
 * What the bot wants to say, independent of the Graph API; the lane adapter maps each kind onto
 * the WhatsApp builders (`text` → text message, `buttons` → interactive reply buttons,
 * `list` → interactive list).
 */
export type BotMessage =
  | { kind: 'text'; body: string }
  | { kind: 'buttons'; body: string; buttons: BotButton[]; header?: string; footer?: string }
  | { kind: 'list'; body: string; button: string; sections: BotListSection[]; header?: string; footer?: string };

/** Ticket categories and priorities of the CRM contract (docs/crm-contract.md). */
export type HandoverCategory = 'reactivacion_servicio' | 'soporte_agente';
export type HandoverPriority = 'alta' | 'media' | 'baja';
/** Why the bot asked for a person (a closed list so the CRM and reports can rely on it). */
export type HandoverReason = 'user_requested' | 'support_unresolved';

/** A plan the user showed interest in. */
export interface PlanChoice {
  id: string;
  name: string;
}

/**
 * Everything `step` can ask the outside world to do: a closed union carried out by the runner.
 * `send` effects become outbound messages; the others go through ports. `save_lead` is asked for
 * once with the name (`qualification: {}`) and again after each qualification answer, with every
 * answer so far: the leads module merges them into the user's open lead.
 */
export type Effect =
  | { type: 'send'; message: BotMessage }
  | { type: 'handover'; customer: Customer; category: HandoverCategory; priority: HandoverPriority; reason: HandoverReason }
  | { type: 'save_lead'; name: string; plan: PlanChoice; qualification: LeadQualification }
  | { type: 'end_session' };
