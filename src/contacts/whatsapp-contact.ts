import { normalizePhone } from './phone.js';
import type { ContactStore } from './store.js';

export interface WhatsAppContactInput {
  orgId: string;
  /** The user's wa_id (E.164 digits without +). */
  phone: string;
  /** The WhatsApp profile name, when Meta sent one. */
  profileName?: string;
  /** When the message arrived. */
  at: Date;
}

export type RecordWhatsAppContact = (input: WhatsAppContactInput) => Promise<{ id: string; created: boolean }>;

/**
 * What the conversation pipeline calls for an inbound message: upserts the user as a contact of
 * the organization (keyed by phone, `source: "whatsapp"` when new), keeps the profile name in
 * `whatsapp_profile_name` (and as `name` only when the contact is new: a name from the CRM or an
 * import is never overwritten) and moves `last_inbound_at` forward (never back, so out-of-order
 * deliveries are harmless). A wa_id is Meta's own E.164 form: used as-is when libphonenumber does
 * not know the number, as long as it is 8–15 digits.
 */
export function createRecordWhatsAppContact(contacts: ContactStore): RecordWhatsAppContact {
  return async ({ orgId, phone, profileName, at }) => {
    const digits = phone.replace(/\D/g, '');
    const normalized = normalizePhone(`+${digits}`) ?? (digits.length >= 8 && digits.length <= 15 ? digits : undefined);
    if (!normalized) throw new Error(`not a WhatsApp id: ${JSON.stringify(phone.slice(0, 20))}`);
    const name = profileName?.trim().slice(0, 200);
    return contacts.recordWhatsApp({ orgId, phone: normalized, ...(name ? { profileName: name } : {}), at });
  };
}
