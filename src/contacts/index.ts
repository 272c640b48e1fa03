import type { Connection } from 'mongoose';
import type { EventRecorder } from '../platform/events/outbox.js';
import type { Module } from '../platform/module.js';
import { BULK_CONTACTS_PATH, BULK_MAX_BODY_BYTES } from './bulk.js';
import { contactRoutes } from './routes/index.js';
import { createContactStores, type ContactStore, type ImportStore } from './store.js';
import { createRecordWhatsAppContact, type RecordWhatsAppContact } from './whatsapp-contact.js';

export { normalizePhone } from './phone.js';
export type { RecordWhatsAppContact, WhatsAppContactInput } from './whatsapp-contact.js';

export interface ContactsModule {
  module: Module;
  /** Upserts a WhatsApp user as a contact (`source: "whatsapp"`, profile name, `last_inbound_at`): for the conversation pipeline. */
  recordWhatsAppContact: RecordWhatsAppContact;
  contacts: ContactStore;
  imports: ImportStore;
}

/** Contacts and their import cohorts: `/api/v1/contacts*` and `/api/v1/imports*` in the `v1` group. */
export function createContactsModule(deps: { connection: Connection; events?: EventRecorder }): ContactsModule {
  const { contacts, imports } = createContactStores(deps.connection, deps.events);
  return {
    module: { name: 'contacts', routes: contactRoutes({ contacts, imports }), bodyLimits: { [BULK_CONTACTS_PATH]: BULK_MAX_BODY_BYTES } },
    recordWhatsAppContact: createRecordWhatsAppContact(contacts),
    contacts,
    imports,
  };
}
