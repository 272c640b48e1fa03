import type { Effect, HandoverCategory, HandoverPriority } from './effects.js';
import type { BotEvent } from './events.js';
import { firstName, formatCop, formatDate, minutesUntil } from './format-es.js';
import type { Action, Guard, Note } from './machine-parts.js';
import { clip } from './message-limits.js';
import { es } from './messages.es.js';
import { findPlan } from './plans.js';
import type { AuthOption, Customer, QualificationKey } from './snapshot.js';

/** Not-understood inputs answered with a hint before the bot offers the menu and a person. */
export const MAX_REPROMPTS = 2;

/** Guards read only the snapshot, the event (I/O results already attached) and the context. */
export const guards = {
  authenticated: (s) => s.authenticated && s.customer !== undefined,
  authLocked: (_s, _e, c) => c.authLockedUntil !== undefined,
  pendingAccount: (s) => s.pendingOption === 'account',
  pendingSupport: (s) => s.pendingOption === 'support',
  pendingAgent: (s) => s.pendingOption === 'agent',
  canReprompt: (s) => s.strikes < MAX_REPROMPTS,
  /** The chosen plan is still in the catalog (it may be replaced while a session lives). */
  planChosen: (s, _e, c) => findPlan(c.plans, s.planId) !== undefined,
  /** A qualification answer can go with the lead: the name is known and the plan still exists. */
  leadReady: (s, _e, c) => s.leadName !== undefined && findPlan(c.plans, s.planId) !== undefined,
} satisfies Record<string, Guard>;

const OPTION_OF_EVENT: Partial<Record<BotEvent['type'], AuthOption>> = { ACCOUNT: 'account', SUPPORT: 'support', AGENT: 'agent' };

/** The CRM contract (docs/crm-contract.md): a suspended customer goes to reactivation at high priority, anyone else to support. */
export function handoverRouting(customer: Customer): { category: HandoverCategory; priority: HandoverPriority } {
  return customer.serviceSuspended
    ? { category: 'reactivacion_servicio', priority: 'alta' }
    : { category: 'soporte_agente', priority: 'media' };
}

const send = (body: string): Effect => ({ type: 'send', message: { kind: 'text', body } });

/** Records a YES/NO to one qualification question, next to the answers already given. */
const recordAnswer = (key: QualificationKey): Action => (s, e) =>
  e.type === 'YES' || e.type === 'NO' ? { set: { qualification: { ...s.qualification, [key]: e.type === 'YES' } } } : {};

/** Actions change the snapshot and emit effects; they never do I/O themselves. */
export const actions = {
  rememberOption: (_s, e) => ({ set: { pendingOption: OPTION_OF_EVENT[e.type] } }),
  authenticate: (_s, e) =>
    e.type === 'DOCUMENT_FOUND' ? { set: { authenticated: true, customer: e.customer, pendingOption: undefined } } : {},
  sayAuthOk: (s) => ({ effects: [send(es.auth.ok(firstName(s.customer?.customerName)))] }),
  handOver: (s, e) =>
    s.customer
      ? {
          effects: [{
            type: 'handover',
            customer: s.customer,
            ...handoverRouting(s.customer),
            reason: e.type === 'NO' ? 'support_unresolved' : 'user_requested',
          }],
        }
      : {},
  rememberTopic: (_s, e) => (e.type === 'SUPPORT_TOPIC' ? { set: { supportTopic: e.topic } } : {}),
  rememberPlan: (_s, e) => (e.type === 'PLAN' ? { set: { planId: e.planId } } : {}),
  /** A new name starts a new lead: no answers yet. */
  rememberName: (_s, e) => (e.type === 'NAME' ? { set: { leadName: e.name, qualification: {} } } : {}),
  answerBudget: recordAnswer('budget_confirmed'),
  answerTimeline: recordAnswer('timeline_defined'),
  answerDecider: recordAnswer('decision_maker_involved'),
  /** The lead as it stands: name, plan and every answer so far (the leads module merges repeats). */
  saveLead: (s, _e, c) => {
    const plan = findPlan(c.plans, s.planId);
    return s.leadName !== undefined && plan
      ? { effects: [{ type: 'save_lead', name: s.leadName, plan: { id: plan.id, name: plan.name }, qualification: { ...s.qualification } }] }
      : {};
  },
  countStrike: (s) => ({ set: { strikes: s.strikes + 1 } }),
  endSession: () => ({
    set: {
      authenticated: false, customer: undefined, pendingOption: undefined, supportTopic: undefined, planId: undefined, leadName: undefined, qualification: undefined,
    },
    effects: [{ type: 'end_session' }],
  }),
} satisfies Record<string, Action>;

/** Notes: a short line placed above the next prompt (or sent alone when there is none). */
export const notes = {
  menuHint: () => es.menu.hint,
  authHint: () => es.auth.hint,
  supportHint: () => es.support.hint,
  confirmHint: () => es.support.confirmHint,
  plansHint: () => es.plans.hint,
  nameHint: () => es.plans.nameHint,
  answerHint: () => es.plans.answerHint,
  stale: () => es.general.stale,
  mediaNotSupported: () => es.general.mediaNotSupported,
  accountSummary: (s) => (s.customer ? accountSummary(s.customer) : ''),
  authNotFound: (_s, e) => es.auth.notFound(e.type === 'DOCUMENT_NOT_FOUND' ? e.attemptsLeft : 1),
  authLocked: (_s, e, c) => es.auth.locked(minutesUntil(e.type === 'DOCUMENT_LOCKED' ? e.until : (c.authLockedUntil ?? ''), c.now), c.emergencyPhone),
  authBusy: (_s, _e, c) => es.auth.busy(c.emergencyPhone),
  supportSolved: () => es.support.solved,
  leadQuestions: (s) => es.plans.questionsIntro(s.leadName),
  leadThanks: (s, _e, c) => es.plans.thanks(s.leadName, findPlan(c.plans, s.planId)?.name ?? ''),
  leadFailed: (_s, _e, c) => es.plans.failed(c.emergencyPhone),
  handoverFailed: (_s, _e, c) => es.handover.failed(c.emergencyPhone),
  handoverEnded: () => es.handover.ended,
  goodbye: () => es.general.goodbye,
} satisfies Record<string, Note>;

/** "Option 1": what the CRM told us about the service, only the fields it sent. */
export function accountSummary(customer: Customer): string {
  const text = (value: string | undefined): string | undefined => (value?.trim() ? clip(value.trim(), 60) : undefined);
  const plan = text(customer.plan);
  const status = text(customer.serviceStatus) ?? (customer.serviceSuspended ? es.account.suspended : es.account.active);
  const balance = typeof customer.balance === 'number' ? formatCop(customer.balance) : text(customer.balance);
  const dueDate = text(customer.dueDate);
  const lines = [
    es.account.title(firstName(customer.customerName)),
    plan && es.account.plan(plan),
    es.account.status(status),
    balance && es.account.balance(balance),
    dueDate && es.account.dueDate(formatDate(dueDate)),
  ].filter((line): line is string => Boolean(line));
  return customer.serviceSuspended ? `${lines.join('\n')}\n\n${es.account.suspendedHelp}` : lines.join('\n');
}
