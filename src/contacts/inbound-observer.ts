import type { InboundEvent } from '../whatsapp/webhook-events.js';
import type { RecordWhatsAppContact } from './whatsapp-contact.js';

export interface WhatsAppContactObserverOptions {
  record: RecordWhatsAppContact;
  /** The organization that owns the business number the user wrote to. */
  orgForNumber(phoneNumberId: string): Promise<string>;
  /** A user seen this recently is not written again (a burst of messages costs one write). Default 60 s. */
  refreshAfterMs?: number;
  /** Users remembered for that; the oldest are forgotten first. Default 10,000. */
  maxTracked?: number;
  now?: () => number;
}

/**
 * Keeps WhatsApp users as contacts of the number's organization: told about each inbound message
 * after its turn (the conversation pipeline's InboundObserver), it upserts the contact with the
 * profile name and the last inbound time. Not on the reply path, and at most one write per user
 * per `refreshAfterMs` in this process, so `last_inbound_at` may trail by that much.
 */
export function createWhatsAppContactObserver(options: WhatsAppContactObserverOptions): (event: InboundEvent) => Promise<unknown> {
  const refreshAfterMs = options.refreshAfterMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const now = options.now ?? Date.now;
  /** Last write per number and user, oldest first (a Map keeps insertion order). */
  const recent = new Map<string, number>();
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

  return async (event) => {
    const key = `${event.phoneNumberId}:${event.waId}`;
    const at = now();
    const last = recent.get(key);
    if (last !== undefined && at - last < refreshAfterMs) return;
    recent.delete(key);
    recent.set(key, at);
    if (recent.size > maxTracked) recent.delete(recent.keys().next().value as string);
    try {
      await options.record({ orgId: await orgOf(event.phoneNumberId), phone: event.waId, ...(event.profileName ? { profileName: event.profileName } : {}), at: new Date(event.timestamp * 1000) });
    } catch (err) {
      recent.delete(key); // not written: the user's next message tries again
      throw err;
    }
  };
}
