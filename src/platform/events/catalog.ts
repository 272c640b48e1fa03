/**
 * The `data` of every event type: one zod schema each, used to document them (the OpenAPI
 * document's `webhooks` section) and by the tests to check what the modules emit. Fields are
 * snake_case like the business API; times are ISO 8601 UTC; phones are E.164 digits.
 */
import { z } from '@hono/zod-openapi';
import type { EventType } from './types.js';

const iso = () => z.string().openapi({ format: 'date-time' });

const ticket = z
  .object({
    ticket_id: z.string().openapi({ example: 'TK-2026-000042' }),
    status: z.enum(['pending', 'active', 'closed']),
    category: z.string(),
    priority: z.string(),
    user_phone: z.string().openapi({ example: '573001234567' }),
    phone_number_id: z.string(),
    customer_id: z.string().nullable(),
    agent: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    close_reason: z.string().nullable(),
    created_at: iso(),
    updated_at: iso(),
  })
  .openapi('EventTicket');

const message = z
  .object({
    id: z.string().nullable().openapi({ description: 'WhatsApp message id (wamid), when known' }),
    direction: z.enum(['inbound', 'outbound']),
    author: z.enum(['user', 'bot', 'agent', 'system']),
    type: z.string(),
    text: z.string().nullable(),
    user_phone: z.string(),
    phone_number_id: z.string(),
    ticket_id: z.string().nullable(),
    at: iso(),
  })
  .openapi('EventMessage');

const lead = z
  .object({
    id: z.string(),
    contact_id: z.string(),
    source: z.string(),
    stage: z.string(),
    score: z.number(),
    qualification_status: z.string().nullable(),
    deal_value: z.number().nullable(),
    assignee_id: z.string().nullable(),
    updated_at: iso(),
  })
  .openapi('EventLead');

const contact = z
  .object({ id: z.string(), phone: z.string(), name: z.string().nullable(), email: z.string().nullable(), source: z.string(), opt_in_status: z.string(), created_at: iso() })
  .openapi('EventContact');

const delivery = z
  .object({
    id: z.string().openapi({ description: 'The wamid of the message sent' }),
    recipient: z.string(),
    phone_number_id: z.string(),
    status: z.enum(['sent', 'delivered', 'read', 'failed']),
    error: z.object({ code: z.union([z.number(), z.string()]), title: z.string().nullable() }).nullable(),
    campaign_id: z.string().nullable().openapi({ description: "The campaign whose step this message is; null for any other message" }),
    enrollment_id: z.string().nullable().openapi({ description: "A campaign step's enrollment (the recipient in that campaign); null for any other message" }),
    campaign_step: z.number().int().nullable().openapi({ description: "A campaign step's step_number; null for any other message" }),
    at: iso(),
  })
  .openapi('EventDelivery');

const conversation = z
  .object({
    id: z.string().openapi({ example: 'conv_q8Zr1mT4kWb7Yx2Pc5Ld9n', description: 'The conversation: the same in its started and ended events' }),
    user_phone: z.string(),
    phone_number_id: z.string(),
    started_at: iso().openapi({ description: "The user's first message of the conversation (WhatsApp's timestamp)" }),
    ended_at: iso().nullable().openapi({ description: 'When Puente ended it; null in `conversation.started`' }),
  })
  .openapi('EventConversation');
/** Why a conversation ended: the user left the bot ("salir"), or wrote nothing for the idle period (docs/webhooks.md, "Conversations"). */
export const CONVERSATION_END_REASONS = ['user_left', 'idle'] as const;
const campaign = z.object({ id: z.string(), name: z.string(), status: z.string(), reason: z.string().nullable(), at: iso() }).openapi('EventCampaign');
const enrollment = z.object({ campaign_id: z.string(), contact_id: z.string(), at: iso() });

export const EVENT_DATA: Record<EventType, z.ZodType> = {
  'ticket.created': z.object({ ticket }),
  'ticket.updated': z.object({ ticket, change: z.enum(['assigned', 'transferred', 'escalated']) }),
  'ticket.closed': z.object({ ticket }),
  'ticket.message.added': z.object({ ticket_id: z.string(), message }),
  'lead.created': z.object({ lead }),
  'lead.updated': z.object({ lead, changed: z.array(z.string()).openapi({ description: 'The fields that changed, e.g. ["score","qualification_status"]' }) }),
  'lead.converted': z.object({ lead }),
  'lead.stage.changed': z.object({ lead, from: z.string().nullable(), to: z.string(), reason: z.string().nullable(), by: z.string() }),
  'conversation.started': z.object({ conversation }),
  'conversation.message.received': z.object({ message }),
  'conversation.message.sent': z.object({ message }),
  'conversation.ended': z.object({
    conversation,
    reason: z.enum(CONVERSATION_END_REASONS),
    last_message_at: iso().openapi({ description: "When the user's last message of the conversation reached Puente" }),
  }),
  'contact.created': z.object({ contact }),
  'contact.enrolled': z.object({ enrollment }),
  'contact.converted': z.object({ enrollment }),
  'contact.unsubscribed': z.object({ contact_id: z.string(), source: z.string().nullable(), at: iso() }),
  'campaign.started': z.object({ campaign }),
  'campaign.paused': z.object({ campaign }),
  'campaign.completed': z.object({ campaign }),
  'message.sent': z.object({ message: delivery }),
  'message.delivered': z.object({ message: delivery }),
  'message.read': z.object({ message: delivery }),
  'message.failed': z.object({ message: delivery }),
};
