import type { Logger } from '../platform/logging/logger.js';
import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { ContactStore } from './store.js';

export interface WhatsAppContactObserverOptions {
  contacts: Pick<ContactStore, 'recordWhatsAppMany'>;
  /** The organization that owns the business number the user wrote to. */
  orgForNumber(phoneNumberId: string): Promise<string>;
  logger: Logger;
  /** How long users are gathered before one write records them all. Default 250 ms. */
  flushAfterMs?: number;
  /** A batch this large is written at once. Default 500. */
  maxBatch?: number;
}

export interface WhatsAppContactObserver {
  (event: InboundEvent): Promise<void>;
  /** Writes what is gathered now (shutdown, tests). */
  flush(): Promise<void>;
}

/** A wa_id is Meta's own E.164 form: digits only, 8–15 of them. */
const WA_ID = /^\d{8,15}$/;

/**
 * Keeps WhatsApp users as contacts of the number's organization. Told about each inbound message
 * after its turn (the conversation pipeline's InboundObserver), it gathers the users for
 * `flushAfterMs` and records them with one read and one bulkWrite per organization (profile name,
 * last inbound time, `source: "whatsapp"` when new): at 200 new users a second, one round trip
 * per user on the same event loop as the replies measurably slowed them (see docs). A failed
 * write is logged; the user's next message records them again.
 */
export function createWhatsAppContactObserver(options: WhatsAppContactObserverOptions): WhatsAppContactObserver {
  const flushAfterMs = options.flushAfterMs ?? 250;
  const maxBatch = options.maxBatch ?? 500;
  /** Gathered users by number and wa_id; a later message of the same user replaces the earlier one. */
  let pending = new Map<string, { phoneNumberId: string; phone: string; profileName?: string; at: Date }>();
  let timer: NodeJS.Timeout | undefined;
  const orgs = new Map<string, Promise<string>>();

  const orgOf = (phoneNumberId: string) => {
    let org = orgs.get(phoneNumberId);
    if (!org) {
      org = options.orgForNumber(phoneNumberId);
      orgs.set(phoneNumberId, org);
      // A failed look-up is asked again next time instead of being remembered.
      org.catch(() => orgs.delete(phoneNumberId));
    }
    return org;
  };

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    const byOrg = new Map<string, typeof batch>();
    for (const user of batch) {
      const orgId = await orgOf(user.phoneNumberId);
      byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), user]);
    }
    await Promise.all(
      [...byOrg].map(([orgId, users]) =>
        options.contacts
          .recordWhatsAppMany(orgId, users.map(({ phone, profileName, at }) => ({ phone, at, ...(profileName ? { profileName } : {}) })))
          .catch((err: unknown) => options.logger.warn({ err, orgId, users: users.length }, 'could not record WhatsApp users as contacts; their next message tries again')),
      ),
    );
  }

  const flushSoon = () => {
    flush().catch((err: unknown) => options.logger.warn({ err }, 'could not record WhatsApp users as contacts; their next message tries again'));
  };

  const observer = async (event: InboundEvent): Promise<void> => {
    if (!WA_ID.test(event.waId)) return;
    const name = event.profileName?.trim().slice(0, 200);
    pending.set(`${event.phoneNumberId}:${event.waId}`, { phoneNumberId: event.phoneNumberId, phone: event.waId, at: new Date(event.timestamp * 1000), ...(name ? { profileName: name } : {}) });
    if (pending.size >= maxBatch) {
      flushSoon();
      return;
    }
    if (!timer) {
      timer = setTimeout(flushSoon, flushAfterMs);
      timer.unref();
    }
  };
  return Object.assign(observer, { flush });
}
