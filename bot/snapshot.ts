import { z } from 'zod';
import type { LeadQualification } from './lead-qualification.js';
import { STATE_NAMES } from './states.js';

/** Troubleshooting paths of option 2, in the order they are offered. */
export const SUPPORT_TOPICS = ['no_internet', 'slow', 'other'] as const;
export type SupportTopic = (typeof SUPPORT_TOPICS)[number];

/** Options that need an authenticated customer; remembered while the document is asked. */
export const AUTH_OPTIONS = ['account', 'support', 'agent'] as const;
export type AuthOption = (typeof AUTH_OPTIONS)[number];

/**
 * The answers to the plans option's qualification questions, as the leads module receives them
 * (`LeadQualification`, bot/lead-qualification.ts): a key is absent until its question is answered.
 */
export const qualificationSchema = z.object({
  budget_confirmed: z.boolean().optional(),
  timeline_defined: z.boolean().optional(),
  decision_maker_involved: z.boolean().optional(),
}) satisfies z.ZodType<LeadQualification>;
export type Qualification = z.infer<typeof qualificationSchema>;
/** One qualification question, by the key its answer is stored under. */
export type QualificationKey = keyof LeadQualification;
// A question added to (or removed from) the port without the snapshot is a type error here.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const _sameQualificationKeys: SameKeys<Qualification, LeadQualification> = true;

/** The customer as the CRM lookup described them (display fields only when the CRM sent them). */
export const customerSchema = z.object({
  customerId: z.string(),
  customerName: z.string(),
  serviceSuspended: z.boolean(),
  plan: z.string().optional(),
  serviceStatus: z.string().optional(),
  /** COP; a number, or the CRM's own text when it sends one. */
  balance: z.union([z.number(), z.string()]).optional(),
  dueDate: z.string().optional(),
});
export type Customer = z.infer<typeof customerSchema>;

/**
 * Everything the bot remembers about one conversation between two messages. Plain JSON, so it
 * can be stored in Redis as is; validated on read so a corrupted session is discarded, not misread.
 */
export const snapshotSchema = z.object({
  state: z.enum(STATE_NAMES),
  /** Lasts for the session: when the session expires the user authenticates again. */
  authenticated: z.boolean(),
  customer: customerSchema.optional(),
  /** The option (1–3) the user chose before being asked for the document. */
  pendingOption: z.enum(AUTH_OPTIONS).optional(),
  supportTopic: z.enum(SUPPORT_TOPICS).optional(),
  /** Plan chosen in `plans_pick`, saved with the lead. */
  planId: z.string().optional(),
  /** The name given in `plans_name`, saved with the lead again after each qualification answer. */
  leadName: z.string().optional(),
  /** The qualification answers so far (`{}` right after the name; reset by the next name). */
  qualification: qualificationSchema.optional(),
  /** Inputs not understood in a row in the current step (see the UNKNOWN transitions). */
  strikes: z.number().int().min(0),
  /** ISO time the session started (sent to the CRM with a handover). */
  startedAt: z.string(),
  /** Id of the last lane event applied, so a redelivered event is not applied twice. */
  lastEventId: z.string().optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** A fresh session at the machine's initial state. */
export function initialSnapshot(now: Date): Snapshot {
  return { state: 'idle', authenticated: false, strikes: 0, startedAt: now.toISOString() };
}

/** JSON with object keys sorted, so two equal snapshots serialize identically. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** True when two snapshots hold the same data (key order and `undefined` fields ignored). */
export function sameSnapshot(a: Snapshot | undefined, b: Snapshot | undefined): boolean {
  return stableStringify(a) === stableStringify(b);
}
