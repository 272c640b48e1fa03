import type { Module } from '../../platform/module.js';
import { registerBulkContacts } from './bulk-contacts.js';
import type { ContactRouteDeps } from './context.js';
import { registerCreateContact } from './create-contact.js';
import { registerCreateImport } from './create-import.js';
import { registerDeleteContact } from './delete-contact.js';
import { registerGetContact } from './get-contact.js';
import { registerGetImport } from './get-import.js';
import { registerListContacts } from './list-contacts.js';
import { registerUpdateContact } from './update-contact.js';
import { registerUpdateImport } from './update-import.js';

/** The business API's contacts and imports (`v1` group: an organization's API key). */
export function contactRoutes(deps: ContactRouteDeps): NonNullable<Module['routes']> {
  return {
    v1(group) {
      registerCreateImport(group, deps);
      registerGetImport(group, deps);
      registerUpdateImport(group, deps);
      // Before /contacts/{id}, so `bulk` is never read as an id.
      registerBulkContacts(group, deps);
      registerCreateContact(group, deps);
      registerListContacts(group, deps);
      registerGetContact(group, deps);
      registerUpdateContact(group, deps);
      registerDeleteContact(group, deps);
    },
  };
}
