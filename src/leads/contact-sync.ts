import type { ContactDoc } from '../contacts/models.js';
import type { ContactListener, ContactStore } from '../contacts/store.js';
import type { LeadContactSnapshot } from './models.js';
import type { LeadStore } from './store.js';

/** The contact's fields a lead keeps a copy of (a WhatsApp user without a name shows their profile name). */
export function contactSnapshot(contact: Pick<ContactDoc, 'name' | 'email' | 'phone' | 'whatsapp_profile_name'>): LeadContactSnapshot {
  return { name: contact.name ?? contact.whatsapp_profile_name ?? null, email: contact.email ?? null, phone: contact.phone };
}

/**
 * Keeps leads in step with their contact: a changed name, email or phone is copied onto the
 * contact's leads (search reads it there), a deleted contact takes its leads, their scores and
 * their tasks with it.
 */
export function leadContactListener(deps: { leads: LeadStore; contacts: ContactStore; deleteTasks: (orgId: string, leadIds: string[]) => Promise<unknown> }): ContactListener {
  return {
    async changed(orgId, ids) {
      const withLeads = [...new Set((await deps.leads.idsForContacts(orgId, ids)).map((l) => l.contact_id))];
      for (const contactId of withLeads) {
        const contact = await deps.contacts.get(orgId, contactId);
        if (contact) await deps.leads.refreshContact(orgId, contactId, contactSnapshot(contact));
      }
    },
    async deleted(orgId, contactId) {
      const leads = await deps.leads.idsForContacts(orgId, [contactId]);
      if (leads.length === 0) return;
      await deps.deleteTasks(orgId, leads.map((l) => l._id));
      await deps.leads.deleteForContact(orgId, contactId);
    },
  };
}
