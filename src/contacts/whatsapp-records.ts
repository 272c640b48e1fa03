import type { mongo } from 'mongoose';
import { newId } from './ids.js';
import { isDuplicateKey } from './duplicate-key.js';

/** The contact a WhatsApp user's first message creates. */
const whatsappContact = (orgId: string, phone: string, profileName: string | undefined, at: Date) => ({
  _id: newId('ct'),
  org_id: orgId,
  phone,
  ...(profileName ? { name: profileName, whatsapp_profile_name: profileName } : {}),
  tags: [],
  opt_in_status: 'unknown',
  consent_history: [],
  do_not_contact: false,
  custom_fields: {},
  import_ids: [],
  source: 'whatsapp',
  last_inbound_at: at,
  created_at: at,
  updated_at: at,
});
const whatsappUpdate = (profileName: string | undefined, at: Date) => ({ $set: { updated_at: at, ...(profileName ? { whatsapp_profile_name: profileName } : {}) }, $max: { last_inbound_at: at } });

/** What a WhatsApp user's messages do to the contact store. */
export interface WhatsAppRecords {
  /** Upserts the user as a contact of the organization (see createWhatsAppRecords). */
  recordWhatsApp(input: { orgId: string; phone: string; profileName?: string; at: Date }): Promise<{ id: string; created: boolean }>;
  /** The same for many users of one organization in two round trips (one read, one bulkWrite); returns how many were created. */
  recordWhatsAppMany(orgId: string, users: { phone: string; profileName?: string; at: Date }[]): Promise<{ created: number }>;
}

/**
 * How WhatsApp users become contacts (whatsapp-contact.ts and the contact keeper, inbound-observer.ts): a new user is
 * inserted with `source: "whatsapp"` and the profile name as its name; a known one only gets the
 * profile name and a later `last_inbound_at` (never an earlier one).
 */
/** Adds `contact.created` to new contact documents when wanted; true when it did (the caller then asks for a flush, or leaves it to the sweep). */
export type StampCreated = (orgId: string, docs: Record<string, unknown>[]) => Promise<boolean>;

export function createWhatsAppRecords(collection: mongo.Collection, ready: () => Promise<void>, stampCreated: StampCreated = async () => false, flush: (id: string) => void = () => undefined): WhatsAppRecords {
  return {
    async recordWhatsApp({ orgId, phone, profileName, at }) {
      await ready();
      // Update first (the usual case); a first message inserts. Two first messages at once: one
      // insert wins the unique index, the other becomes an update.
      for (let attempt = 0; ; attempt++) {
        const found = await collection.findOneAndUpdate({ org_id: orgId, phone }, whatsappUpdate(profileName, at), { projection: { _id: 1 } });
        if (found) return { id: String(found._id), created: false };
        const doc = whatsappContact(orgId, phone, profileName, at);
        const stamped = await stampCreated(orgId, [doc]);
        try {
          await collection.insertOne(doc as never);
          if (stamped) flush(doc._id);
          return { id: doc._id, created: true };
        } catch (err) {
          if (!isDuplicateKey(err) || attempt > 0) throw err;
        }
      }
    },
    async recordWhatsAppMany(orgId, users) {
      if (users.length === 0) return { created: 0 };
      await ready();
      const known = new Set((await collection.find({ org_id: orgId, phone: { $in: users.map((u) => u.phone) } }, { projection: { phone: 1 } }).toArray()).map((d) => String(d.phone)));
      const fresh = users.filter((u) => !known.has(u.phone));
      const created = new Map(fresh.map((u) => [u.phone, whatsappContact(orgId, u.phone, u.profileName, u.at)]));
      // Their contact.created events wait for the outbox sweep (a batch, not a flush each).
      await stampCreated(orgId, [...created.values()]);
      const ops = users.map((u) => {
        const doc = created.get(u.phone);
        return doc ? { insertOne: { document: doc } } : { updateOne: { filter: { org_id: orgId, phone: u.phone }, update: whatsappUpdate(u.profileName, u.at) } };
      });
      try {
        await collection.bulkWrite(ops as never, { ordered: false });
        return { created: fresh.length };
      } catch (err) {
        // A user whose first message another process recorded meanwhile: its insert lost the unique
        // index, so it becomes an update. Any other failure is the caller's.
        const lost = (err as { writeErrors?: { code?: number; index: number }[] }).writeErrors;
        if (!lost || lost.some((e) => e.code !== 11000)) throw err;
        await Promise.all(lost.map(({ index }) => users[index]).map((u) => u && collection.updateOne({ org_id: orgId, phone: u.phone }, whatsappUpdate(u.profileName, u.at))));
        return { created: fresh.length - lost.length };
      }
    },
  };
}
