import { createBotModule, type BotModule } from '../../bot/index.js';
import { createCrmBridge, type CrmBridge } from '../../crm-bridge/index.js';
import { createApiKeysModule, type ApiKeysModule } from '../api-keys/index.js';
import type { QueueRegistry } from '../../queues/registry.js';
import { CAMPAIGN_EVENT_COLLECTIONS, createCampaignsModule } from '../campaigns/index.js';
import { createContactsModule } from '../contacts/index.js';
import { createWhatsAppContactObserver } from '../contacts/inbound-observer.js';
import { createConversations, type Conversations } from '../conversations/index.js';
import { createLeadsModule } from '../leads/index.js';
import { createPrivacyModule } from '../privacy/index.js';
import { createWebhooksModule } from '../webhooks/index.js';
import type { Config } from '../platform/config/index.js';
import { createOutboxRelay } from '../platform/events/outbox.js';
import { createOutboxModule, OUTBOX_QUEUE } from '../platform/events/outbox-module.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Metrics } from '../platform/metrics/registry.js';
import type { Module } from '../platform/module.js';
import type { MongoHandle } from '../platform/mongo/connection.js';
import type { Redis } from 'ioredis';
import type { GraphClient } from '../whatsapp/graph-client.js';

/** The platform pieces every module may be given. */
export interface Platform {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  mongo: MongoHandle;
  queues: QueueRegistry;
  keyPrefix: string;
}

export interface Modules {
  /** Every module, in the order their routes, lane handlers and workers are assembled. */
  list: Module[];
  conversations: Conversations;
  bridge: CrmBridge;
  bot: BotModule;
  /** Organizations and API keys: the business API's authentication comes from here. */
  apiKeys: ApiKeysModule;
}

/**
 * Builds every feature module, each given the platform and the ports of the modules it depends on:
 * API keys first (they authenticate the business API and say which organization owns a number),
 * the webhooks module and the outbox relay (every module records its events through it), the
 * conversation pipeline (everyone talks through it), the CRM bridge (tickets and the handover
 * port), contacts, leads (scored from the conversation log and the tickets), campaigns (audiences
 * from contacts and leads), the bot (which hands conversations over through the bridge's port and
 * stores leads through the leads module), the bridge's lane handlers, which give conversations
 * back to the bot, and privacy (retention and erasure, through the contact store).
 * Contacts and leads hear about every inbound message, and leads about every delivery status,
 * through the pipeline's observer ports. A new module is built here and added to `list`; nothing
 * else in the composition root changes.
 */
export function createModules(platform: Platform, graph: GraphClient): Modules {
  const { connection } = platform.mongo;
  const apiKeys = createApiKeysModule({ connection, adminKey: platform.config.API_ADMIN_KEY, phoneNumberId: platform.config.WHATSAPP_PHONE_NUMBER_ID });
  const orgForNumber = (id: string) => apiKeys.store.orgForNumber(id);
  // Events are recorded with the changes they describe (each module's documents carry an outbox)
  // and handed to the webhooks module, which delivers them to the organizations' subscriptions.
  const webhooks = createWebhooksModule({ ...platform, connection });
  const relay = createOutboxRelay({ connection, redis: platform.redis, keyPrefix: platform.keyPrefix, sink: webhooks.sink, logger: platform.logger, collections: ['tickets', 'leads', 'contacts', 'messages', ...CAMPAIGN_EVENT_COLLECTIONS] });
  const conversations = createConversations({ ...platform, graph, messageEvents: { events: relay, orgForNumber } });
  const bridge = createCrmBridge({ ...platform, conversations, ticketEvents: { events: relay, orgForNumber } });
  const contacts = createContactsModule({ connection, events: relay });
  const leads = createLeadsModule({
    connection,
    queue: (name) => platform.queues.get(name),
    logger: platform.logger,
    contacts: contacts.contacts,
    recordWhatsAppContact: contacts.recordWhatsAppContact,
    debounceMs: platform.config.LEAD_SCORE_DEBOUNCE_MS,
    events: relay,
    // Scores are computed from what the conversation log and the tickets saw.
    sources: { activityOf: (waId, since, limit) => conversations.log.activityOf(waId, since, limit), countResolvedSince: (keys, since) => bridge.tickets.countResolvedSince(keys, since), orgForNumber },
  });
  // WhatsApp campaigns: audiences from contacts and their leads, steps as approved templates.
  // Its sender sends steps through the pipeline's outbound path from the organization's number.
  const campaigns = createCampaignsModule({
    connection,
    logger: platform.logger,
    config: platform.config,
    graph,
    contacts: contacts.contacts,
    leads: leads.leads,
    events: relay,
    sending: {
      ...platform,
      queue: (name) => platform.queues.get(name),
      outbound: conversations.outbound,
      log: conversations.log,
      orgNumbers: async (orgId) => (await apiKeys.store.findOrg(orgId))?.phoneNumberIds ?? [],
    },
  });
  const bot = createBotModule({ ...platform, handover: bridge.port, leads: leads.sink });
  const handover = bridge.withBot(bot.bot);
  // A WhatsApp user who writes in becomes a contact of the number's organization, after the turn.
  const contactKeeper = createWhatsAppContactObserver({ contacts: contacts.contacts, orgForNumber, logger: platform.logger });
  // Retention purges and erasure (Ley 1581): a contact is erased through the contact store, so its leads go too.
  const privacy = createPrivacyModule({ ...platform, connection, contacts: contacts.contacts, orgs: apiKeys.store });
  const list = [
    conversations.module({ gate: handover.gate, responder: bot.responder, observers: [contactKeeper, leads.observers.inbound, ...campaigns.inboundObservers], statusObservers: [leads.observers.status, ...campaigns.statusObservers], interceptors: campaigns.interceptors }),
    handover.module,
    bot.module,
    apiKeys.module,
    contacts.module,
    leads.module,
    campaigns.module,
    privacy.module,
    webhooks.module,
    createOutboxModule({ relay, queue: platform.queues.get(OUTBOX_QUEUE), logger: platform.logger }),
  ];
  return { list, conversations, bridge, bot, apiKeys };
}
