import type { LeadSink } from '../../bot/ports.js';
import type { RecordWhatsAppContact } from '../contacts/whatsapp-contact.js';
import type { ContactStore } from '../contacts/store.js';
import { AppError } from '../platform/http/errors.js';
import { contactSnapshot } from './contact-sync.js';
import type { LeadActivitySources } from './ports.js';
import type { ScoreQueue } from './score-queue.js';
import type { LeadStore } from './store.js';

/** The source of the leads the bot's plans option captures. */
export const BOT_LEAD_SOURCE = 'whatsapp';

/**
 * The bot's plans option, through the leads module: the user becomes a contact of the number's
 * organization (if not one already), and their open WhatsApp lead is created the first time and
 * updated after — the plan they chose and the name they gave in `custom_fields` (`product_interest`,
 * `plan_id`, `name_given`) and their
 * answers merged into `qualification_data` — then rescored. The name they typed becomes the
 * contact's name unless one came from elsewhere (the CRM, an import, the API).
 * Saves for one user never race each other: they come from that user's lane, one at a time.
 */
export function createBotLeadSink(deps: { leads: LeadStore; contacts: ContactStore; recordWhatsAppContact: RecordWhatsAppContact; orgForNumber: LeadActivitySources['orgForNumber']; scores: ScoreQueue; now?: () => Date }): LeadSink {
  const now = deps.now ?? (() => new Date());
  return {
    async saveLead(input) {
      const at = now();
      const orgId = await deps.orgForNumber(input.phoneNumberId);
      const { id: contactId } = await deps.recordWhatsAppContact({ orgId, phone: input.phone, at });
      let contact = await deps.contacts.get(orgId, contactId);
      if (!contact) throw new Error(`contact ${contactId} vanished while saving a lead`);
      if (input.name && (!contact.name || contact.name === contact.whatsapp_profile_name) && contact.name !== input.name) {
        contact = (await deps.contacts.update(orgId, contactId, { name: input.name }, at)) ?? contact;
      }
      const plan = { product_interest: input.plan.name, plan_id: input.plan.id, ...(input.name ? { name_given: input.name } : {}) };
      let lead = await deps.leads.openFor(orgId, contactId, BOT_LEAD_SOURCE);
      let created = false;
      if (!lead) {
        try {
          created = true;
          lead = await deps.leads.create(orgId, { contact_id: contactId, contact: contactSnapshot(contact), source: BOT_LEAD_SOURCE, qualification_data: { ...input.qualification }, custom_fields: plan }, 'bot', at);
        } catch (err) {
          // An open lead made meanwhile (e.g. through the API) is the one to update.
          if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
          created = false;
          lead = await deps.leads.openFor(orgId, contactId, BOT_LEAD_SOURCE);
          if (!lead) throw err;
        }
      }
      if (!created) {
        await deps.leads.set(orgId, lead._id, { qualification_data: { ...lead.qualification_data, ...input.qualification }, custom_fields: { ...lead.custom_fields, ...plan } }, at);
      }
      await deps.scores.schedule(orgId, [lead._id]);
    },
  };
}
