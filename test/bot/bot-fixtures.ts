/** Shared test data for the bot tests: context, customers, one sample of every event. */
import type { BotMessage, Effect } from '../../bot/effects.js';
import type { BotEvent } from '../../bot/events.js';
import type { StepContext } from '../../bot/machine-parts.js';
import { loadPlansCatalog } from '../../bot/plans.js';
import { initialSnapshot, SUPPORT_TOPICS, type Customer, type Snapshot } from '../../bot/snapshot.js';

export const EMERGENCY_PHONE = '3242156679';
export const NOW = new Date('2025-06-06T15:25:00.000Z');
export const plans = loadPlansCatalog();

export function context(overrides: Partial<StepContext> = {}): StepContext {
  return { now: NOW, emergencyPhone: EMERGENCY_PHONE, plans, profileName: 'Ana', ...overrides };
}

export const activeCustomer: Customer = {
  customerId: '12345',
  customerName: 'Juan Pérez',
  serviceSuspended: false,
  plan: 'Hogar 300 Mbps',
  serviceStatus: 'Activo',
  balance: 89900,
  dueDate: '2025-06-20',
};
export const suspendedCustomer: Customer = { ...activeCustomer, customerId: '67890', serviceSuspended: true, serviceStatus: 'Suspendido' };
/** The longest data we can get: a long name and long CRM fields, to check Meta's limits. */
export const longCustomer: Customer = {
  customerId: 'X'.repeat(40),
  customerName: 'Maximiliano Alejandro de la Santísima Trinidad Rodríguez Villavicencio',
  serviceSuspended: true,
  plan: 'Plan Hogar Fibra Óptica Simétrica Ilimitada Premium con Televisión y Telefonía Fija',
  serviceStatus: 'Suspendido por falta de pago desde el ciclo de facturación anterior',
  balance: 123456789,
  dueDate: 'Inmediato, antes del próximo corte programado para el ciclo de facturación',
};

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return { ...initialSnapshot(NOW), ...overrides };
}

export function authenticated(customer: Customer = activeCustomer, overrides: Partial<Snapshot> = {}): Snapshot {
  return snapshot({ authenticated: true, customer, ...overrides });
}

/** One event of every type (and every variant that changes the copy). */
export function sampleEvents(customer: Customer = longCustomer): BotEvent[] {
  return [
    { type: 'MENU' }, { type: 'GREETING' }, { type: 'EXIT' }, { type: 'ACCOUNT' }, { type: 'SUPPORT' }, { type: 'AGENT' }, { type: 'PLANS' },
    ...SUPPORT_TOPICS.map((topic) => ({ type: 'SUPPORT_TOPIC', topic }) as const),
    { type: 'YES' }, { type: 'NO' },
    ...plans.plans.map((p) => ({ type: 'PLAN', planId: p.id }) as const),
    { type: 'NAME', name: 'María Fernanda de los Ángeles Gutiérrez Montenegro Castañeda' },
    { type: 'DOCUMENT_FOUND', customer },
    { type: 'DOCUMENT_NOT_FOUND', attemptsLeft: 2 }, { type: 'DOCUMENT_NOT_FOUND', attemptsLeft: 1 },
    { type: 'DOCUMENT_LOCKED', until: new Date(NOW.getTime() + 900_000).toISOString() },
    { type: 'LOOKUP_UNAVAILABLE' }, { type: 'UNKNOWN' },
    { type: 'MEDIA', mediaType: 'image' }, { type: 'MEDIA', mediaType: 'sticker' },
    { type: 'STALE' }, { type: 'IGNORE' },
    { type: 'HANDOVER_ENDED' }, { type: 'HANDOVER_FAILED' }, { type: 'LEAD_FAILED' },
  ];
}

export function sentMessages(effects: readonly Effect[]): BotMessage[] {
  return effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));
}

/** The reply ids a message offers. */
export function replyIds(message: BotMessage): string[] {
  if (message.kind === 'buttons') return message.buttons.map((b) => b.id);
  if (message.kind === 'list') return message.sections.flatMap((s) => s.rows.map((r) => r.id));
  return [];
}

/** Every piece of text in a message the user will read. */
export function visibleTexts(message: BotMessage): string[] {
  if (message.kind === 'text') return [message.body];
  const base = [message.body, message.header, message.footer].filter((t): t is string => t !== undefined);
  if (message.kind === 'buttons') return [...base, ...message.buttons.map((b) => b.title)];
  return [
    ...base,
    message.button,
    ...message.sections.flatMap((s) => [s.title ?? '', ...s.rows.flatMap((r) => [r.title, r.description ?? ''])]),
  ].filter((t) => t !== '');
}

/**
 * A compact, assertable form of an effect: `text`, `list[v1:menu.account,…]`,
 * `handover:cat/prio/reason`, `save_lead:plan/name/{budget_confirmed=true,…}`.
 */
export function describeEffect(effect: Effect): string {
  switch (effect.type) {
    case 'send':
      return effect.message.kind === 'text' ? 'text' : `${effect.message.kind}[${replyIds(effect.message).join(',')}]`;
    case 'handover':
      return `handover:${effect.category}/${effect.priority}/${effect.reason}`;
    case 'save_lead': {
      const answers = Object.entries(effect.qualification).map(([key, value]) => `${key}=${String(value)}`);
      return `save_lead:${effect.plan.id}/${effect.name}/{${answers.join(',')}}`;
    }
    case 'end_session':
      return 'end_session';
  }
}
