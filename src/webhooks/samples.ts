/**
 * A sample `data` for every event type (valid against the catalog's schema: a test checks), sent
 * by `POST /api/v1/webhooks/{id}/test` and shown as the examples of the event documentation.
 */
import type { EventType } from '../platform/events/types.js';

const at = '2026-01-15T14:03:00.000Z';
const phone = '573001234567';
const phoneNumberId = '118724605391736';

const ticket = (status: 'pending' | 'active' | 'closed', extra: Record<string, unknown> = {}) => ({
  ticket_id: 'TK-2026-000042',
  status,
  category: 'soporte_tecnico',
  priority: 'media',
  user_phone: phone,
  phone_number_id: phoneNumberId,
  customer_id: 'CUST-1020304050',
  agent: status === 'pending' ? null : { id: 'agent-7', name: 'Camila Ruiz' },
  close_reason: null,
  created_at: '2026-01-15T13:58:12.000Z',
  updated_at: at,
  ...extra,
});

const message = (direction: 'inbound' | 'outbound', author: 'user' | 'bot' | 'agent', text: string, ticketId: string | null = null) => ({
  id: direction === 'inbound' ? 'wamid.HBgMNTczMDAxMjM0NTY3FQIAEhgUM0VCMDQ1NkE3QjhDOUQwRTFGMkEA' : 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQjdDNkI1QTQ5ODcyNjUxNDMyAA==',
  direction,
  author,
  type: 'text',
  text,
  user_phone: phone,
  phone_number_id: phoneNumberId,
  ticket_id: ticketId,
  at,
});

const lead = (stage: string, extra: Record<string, unknown> = {}) => ({
  id: 'ld_Vb7nP2xQ9mLk3sTa',
  contact_id: 'ct_Qm3x8yZpL0aB1cD2',
  source: 'whatsapp',
  stage,
  score: 72,
  qualification_status: 'qualified',
  deal_value: 300000,
  assignee_id: 'rep-5',
  updated_at: at,
  ...extra,
});

const delivery = (status: 'sent' | 'delivered' | 'read' | 'failed') => ({
  id: 'wamid.HBgMNTczMDAxMjM0NTY3FQIAERgSQjdDNkI1QTQ5ODcyNjUxNDMyAA==',
  recipient: phone,
  phone_number_id: phoneNumberId,
  status,
  error: status === 'failed' ? { code: 131026, title: 'Message undeliverable' } : null,
  campaign_id: 'cmp_J4kL8mN2pQ6rS0tU',
  enrollment_id: 'enr_T5vW9xY3zA7bC1dE',
  campaign_step: 1,
  at,
});

const campaign = (status: string, reason: string | null = null) => ({ id: 'cmp_J4kL8mN2pQ6rS0tU', name: 'Promo Hogar 300 enero', status, reason, at });
const enrollment = { campaign_id: 'cmp_J4kL8mN2pQ6rS0tU', contact_id: 'ct_Qm3x8yZpL0aB1cD2', at };
const conversation = (ended: boolean) => ({ id: 'conv_q8Zr1mT4kWb7Yx2Pc5Ld9n', user_phone: phone, phone_number_id: phoneNumberId, started_at: '2026-01-15T13:41:09.000Z', ended_at: ended ? at : null });

export const EVENT_SAMPLES: Record<EventType, Record<string, unknown>> = {
  'ticket.created': { ticket: ticket('pending') },
  'ticket.updated': { ticket: ticket('active'), change: 'assigned' },
  'ticket.closed': { ticket: ticket('closed', { close_reason: 'resolved' }) },
  'ticket.message.added': { ticket_id: 'TK-2026-000042', message: message('outbound', 'agent', 'Hola Laura, ya reviso tu caso.', 'TK-2026-000042') },
  'lead.created': { lead: lead('lead', { score: 35, qualification_status: null, deal_value: null, assignee_id: null }) },
  'lead.updated': { lead: lead('mql'), changed: ['score', 'qualification_status'] },
  'lead.converted': { lead: lead('customer', { score: 91 }) },
  'lead.stage.changed': { lead: lead('sql'), from: 'mql', to: 'sql', reason: 'Presupuesto confirmado', by: 'rep-5' },
  'conversation.started': { conversation: conversation(false) },
  'conversation.message.received': { message: message('inbound', 'user', 'Hola, quiero saber de los planes de internet') },
  'conversation.message.sent': { message: message('outbound', 'bot', '¡Hola! Soy el asistente virtual. ¿En qué te ayudo?') },
  'conversation.ended': { conversation: conversation(true), reason: 'idle', last_message_at: '2026-01-15T13:33:00.000Z' },
  'contact.created': { contact: { id: 'ct_Qm3x8yZpL0aB1cD2', phone, name: 'Laura Gómez', email: 'laura@example.com', source: 'whatsapp', opt_in_status: 'opted_in', created_at: at } },
  'contact.enrolled': { enrollment },
  'contact.converted': { enrollment },
  'contact.unsubscribed': { contact_id: 'ct_Qm3x8yZpL0aB1cD2', source: 'whatsapp_stop', at },
  'campaign.started': { campaign: campaign('running') },
  'campaign.paused': { campaign: campaign('paused', 'quality_rating_low') },
  'campaign.completed': { campaign: campaign('completed') },
  'message.sent': { message: delivery('sent') },
  'message.delivered': { message: delivery('delivered') },
  'message.read': { message: delivery('read') },
  'message.failed': { message: delivery('failed') },
};
