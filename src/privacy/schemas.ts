import { z } from '@hono/zod-openapi';
import { normalizePhone } from '../contacts/index.js';
import { AppError } from '../platform/http/errors.js';

export const erasureRequestSchema = z
  .object({
    phone: z.string().min(1).max(40).openapi({ description: 'The WhatsApp user’s phone in any notation (`3001234567`, `+57 300 123 4567`, `573001234567`); read like a contact’s phone (Colombian by default).', example: '+57 300 123 4567' }),
  })
  .openapi('ErasureRequest');

export const erasureSchema = z
  .object({
    erased: z.object({
      messages: z.number().int().openapi({ description: 'Messages of the conversation log deleted (both directions)' }),
      contacts: z.number().int().openapi({ description: 'Contacts deleted' }),
      leads: z.number().int().openapi({ description: 'Leads of those contacts deleted, with their tasks and scores' }),
      tickets_anonymized: z.number().int().openapi({ description: 'Closed tickets kept with the phone, customer name and id replaced by `erased`' }),
      sessions: z.number().int().openapi({ description: 'Bot sessions and authentication locks deleted from Redis' }),
    }),
  })
  .openapi('Erasure');

export const erasureExample = { erased: { messages: 42, contacts: 1, leads: 1, tickets_anonymized: 2, sessions: 1 } };

/** The phone as WhatsApp's wa_id (E.164 digits without `+`), or a 422 naming the field. */
export function erasurePhone(input: string): string {
  const phone = normalizePhone(input);
  if (!phone) throw new AppError('INVALID_VALUE', 'A value is not acceptable', [{ path: 'phone', message: 'not a valid phone number' }]);
  return phone;
}

/** What both erasure routes say of the operation (OpenAPI `description`). */
export const ERASURE_DESCRIPTION = [
  'Deletes one WhatsApp user’s personal data (Ley 1581 de 2012, “delete my data”), found by phone number:',
  '',
  '- the conversation log with that user (both directions) on the business numbers in scope;',
  '- the bot’s session and authentication lock of those conversations (Redis);',
  '- the contact with that phone, and with it the contact’s leads, their tasks and scores;',
  '- closed handover tickets are **anonymized, not deleted**: the ticket stays as the business’s record of the service given (category, times, agent, close reason), with the phone, the customer’s name and id, and the personal fields of the context sent to the CRM replaced by `erased`.',
  '',
  'A pending or active ticket of the user answers **409** and nothing is erased: close it first. A second call erases nothing (all counts 0). Data kept elsewhere is not reached: the CRM’s own records, and event deliveries already made to webhook subscribers.',
].join('\n');
