/**
 * Erasure ("delete my data", Ley 1581 de 2012) of one WhatsApp user, by phone number, for one
 * organization or for all of them (the platform owner):
 *
 * - deletes the user's conversation log on the organization's numbers (a message's number is its
 *   `phoneNumberId`; `orgForNumber` says whose it is);
 * - deletes the bot's Redis keys of those conversations: the session
 *   (`<keyPrefix>:session:<phone_number_id>:<wa_id>`, bot/session-store.ts) and the
 *   authentication lock (`<keyPrefix>:auth-failures:<phone_number_id>:<wa_id>`, bot/auth-lock.ts),
 *   and the other keys holding the number: the open conversation's record (`conv:`, `conv-idle`)
 *   and the recent-campaign mark (`cmp:recent:`), not counted in `sessions`;
 * - deletes the organization's contact with that phone through the contact store, whose listener
 *   deletes the contact's leads with their tasks and scores;
 * - anonymizes the user's closed tickets: the business keeps the ticket (category, times, agent,
 *   close reason: its record of the service given) but not who it was: the phone, the customer's
 *   name and id (the CRM's, often the document number) and `userContext`'s personal fields become
 *   `erased`, `customer.extra` and the events not yet handed over are dropped.
 *
 * An open (pending or active) ticket refuses the whole erasure before anything is touched: the
 * conversation is in an agent's hands; close it first. A second erasure finds nothing: all zeros.
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { ApiKeyStore } from '../api-keys/store.js';
import { contactModels } from '../contacts/models.js';
import type { ContactStore } from '../contacts/store.js';
import { messageModel } from '../conversations/message-log.js';
import { ticketModel } from '../../crm-bridge/ticket-model.js';
import { leadModels } from '../leads/models.js';
import { OUTBOX_AT_FIELD, OUTBOX_FIELD } from '../platform/events/outbox.js';
import type { Logger } from '../platform/logging/logger.js';
import { maskPhone } from '../platform/logging/redact.js';
import { conversationKey } from '../whatsapp/normalize.js';

/** What replaces a personal field of an anonymized ticket. */
export const ERASED = 'erased';

/** What an erasure removed. */
export interface ErasureCounts {
  messages: number;
  contacts: number;
  /** The deleted contacts' leads (their tasks and scores went with them). */
  leads: number;
  tickets_anonymized: number;
  /** The bot's Redis keys removed: sessions and authentication locks. */
  sessions: number;
}

/** Whose data: one organization's (its numbers, its contacts), or every organization's. */
export type ErasureScope = { orgId: string } | { allOrganizations: true };

export type ErasureOutcome = { erased: ErasureCounts } | { openTickets: string[] };

/** What erasure needs of the organizations (the API keys module's store). */
export type ErasureOrgs = Pick<ApiKeyStore, 'orgForNumber' | 'findOrg' | 'listOrgs'>;

export interface ErasureDeps {
  connection: Connection;
  redis: Redis;
  keyPrefix: string;
  contacts: ContactStore;
  orgs: ErasureOrgs;
  logger: Logger;
}

export interface Erasure {
  /** Erases the data of `phone` (E.164 digits without `+`, as WhatsApp's wa_id) within `scope`. */
  erase(scope: ErasureScope, phone: string): Promise<ErasureOutcome>;
}

/** Organizations read per page when erasing across all of them. */
const ORG_PAGE = 500;

export function createErasure(deps: ErasureDeps): Erasure {
  const Messages = messageModel(deps.connection);
  const Tickets = ticketModel(deps.connection);
  const { Contact } = contactModels(deps.connection);
  const { Lead } = leadModels(deps.connection);
  const { logger } = deps;

  async function everyOrg(): Promise<{ _id: string; phoneNumberIds: string[] }[]> {
    const orgs: { _id: string; phoneNumberIds: string[] }[] = [];
    for (let skip = 0; ; skip += ORG_PAGE) {
      const page = await deps.orgs.listOrgs({ skip, limit: ORG_PAGE });
      orgs.push(...page.data);
      if (page.data.length < ORG_PAGE) return orgs;
    }
  }

  return {
    async erase(scope, phone) {
      const orgs = 'orgId' in scope ? [{ _id: scope.orgId, phoneNumberIds: (await deps.orgs.findOrg(scope.orgId))?.phoneNumberIds ?? [] }] : await everyOrg();
      // The user's tickets and the numbers they wrote to, wherever; then the ones in scope.
      const tickets = await Tickets.collection
        .find({ userPhone: phone }, { projection: { ticketId: 1, phoneNumberId: 1, status: 1 } })
        .toArray();
      const written = (await Messages.collection.distinct('phoneNumberId', { waId: phone })) as string[];
      const candidates = new Set<string>([...written, ...tickets.map((t) => String(t.phoneNumberId)), ...orgs.flatMap((o) => o.phoneNumberIds)]);
      let numbers = [...candidates];
      if ('orgId' in scope) {
        const owners = await Promise.all(numbers.map((n) => deps.orgs.orgForNumber(n)));
        numbers = numbers.filter((_, i) => owners[i] === scope.orgId);
      }
      const inScope = new Set(numbers);
      const ours = tickets.filter((t) => inScope.has(String(t.phoneNumberId)));
      const open = ours.filter((t) => t.status !== 'closed').map((t) => String(t.ticketId));
      if (open.length > 0) return { openTickets: open };

      const counts: ErasureCounts = { messages: 0, contacts: 0, leads: 0, tickets_anonymized: 0, sessions: 0 };
      if (numbers.length > 0) {
        counts.messages = (await Messages.collection.deleteMany({ waId: phone, phoneNumberId: { $in: numbers } })).deletedCount;
        const keys = numbers.flatMap((n) => [`${deps.keyPrefix}:session:${conversationKey(n, phone)}`, `${deps.keyPrefix}:auth-failures:${conversationKey(n, phone)}`]);
        counts.sessions = await deps.redis.del(...keys);
        // The open conversation's record (src/conversations/conversation-tracker.ts) and the mark
        // that a campaign wrote to it (src/campaigns/recent-sends.ts) hold the number too. An open
        // conversation then ends without a conversation.ended: its messages are gone with the log.
        const lanes = numbers.map((n) => conversationKey(n, phone));
        await deps.redis.del(...lanes.flatMap((lane) => [`${deps.keyPrefix}:conv:${lane}`, `${deps.keyPrefix}:cmp:recent:${lane}`]));
        await deps.redis.zrem(`${deps.keyPrefix}:conv-idle`, ...lanes);
      }

      // Through the store, so the contact's leads, their tasks and scores go with it (and any other listener hears of it).
      const contacts = await Contact.collection.find({ org_id: { $in: orgs.map((o) => o._id) }, phone }, { projection: { _id: 1, org_id: 1 } }).toArray();
      for (const contact of contacts) {
        const orgId = String(contact.org_id);
        const id = String(contact._id);
        const leads = await Lead.countDocuments({ org_id: orgId, contact_id: id });
        if (await deps.contacts.delete(orgId, id)) {
          counts.contacts += 1;
          counts.leads += leads;
        }
      }

      for (const ticket of ours) {
        const anonymized = await Tickets.collection.updateOne(
          { _id: ticket._id, status: 'closed', userPhone: phone },
          {
            $set: {
              userPhone: ERASED,
              conversationKey: conversationKey(String(ticket.phoneNumberId), ERASED),
              'customer.customerName': ERASED,
              'customer.customerId': ERASED,
              'userContext.phoneNumber': ERASED,
              'userContext.customerName': ERASED,
              'userContext.customerId': ERASED,
              updatedAt: new Date(),
            },
            // Events not handed over yet carry the phone and the customer: they are not sent after an erasure.
            $unset: { 'customer.extra': '', [OUTBOX_FIELD]: '', [OUTBOX_AT_FIELD]: '' },
          },
        );
        counts.tickets_anonymized += anonymized.modifiedCount;
      }

      logger.info({ scope: 'orgId' in scope ? scope.orgId : 'all', phone: maskPhone(phone), ...counts }, 'personal data erased');
      return { erased: counts };
    },
  };
}
