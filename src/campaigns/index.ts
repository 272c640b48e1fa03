import type { Connection } from 'mongoose';
import type { ContactStore } from '../contacts/store.js';
import type { LeadStore } from '../leads/store.js';
import type { Config } from '../platform/config/index.js';
import type { EventRecorder } from '../platform/events/outbox.js';
import type { Logger } from '../platform/logging/logger.js';
import type { Module } from '../platform/module.js';
import type { GraphClient } from '../whatsapp/graph-client.js';
import { createEnrollmentStore, type EnrollmentStore } from './enrollments.js';
import { campaignRoutes } from './routes/index.js';
import { createCampaignStore, type CampaignStore } from './store.js';
import { createTargeting } from './targeting.js';
import { createTemplateCatalog, type TemplateCatalog } from './templates.js';
import { campaignQueues, createSender, type Sender } from './sender.js';
import { createSendOutcomes, type SendOutcomes } from './send-outcomes.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConversationLog } from '../conversations/conversation-log.js';
import type { Outbound } from '../conversations/outbound.js';
import type { InboundInterceptor, InboundObserver, StatusObserver } from '../conversations/ports.js';
import { createCampaignReceiving, type CampaignReceiving } from './receiving.js';
import { createRecentCampaignSends } from './recent-sends.js';
import type { Metrics } from '../platform/metrics/registry.js';

export { renderParameters, type PersonalizationSubject } from './personalization.js';
export { campaignQueues } from './sender.js';

/** What the sender needs (without it the module sends nothing, e.g. in tests of the API alone). */
export interface CampaignSendingDeps {
  redis: Redis;
  keyPrefix: string;
  queue: (name: string) => Queue;
  outbound: Outbound;
  log: ConversationLog;
  metrics: Metrics;
  config: Pick<Config, 'WHATSAPP_MAX_MPS' | 'CAMPAIGN_SENDER_TICK_MS' | 'WHATSAPP_PHONE_NUMBER_ID'>;
  /** The organization's business numbers (api-keys), its default sender first. */
  orgNumbers(orgId: string): Promise<string[]>;
}

/** The collections whose documents carry an outbox (campaign.started/paused, contact.enrolled): for the relay's sweep. */
export const CAMPAIGN_EVENT_COLLECTIONS = ['campaigns', 'campaign_enrollments'] as const;

export interface CampaignsModule {
  module: Module;
  campaigns: CampaignStore;
  enrollments: EnrollmentStore;
  templates: TemplateCatalog;
  /** The sender and Meta's answers to its sends (absent without `sending`). */
  sender?: Sender;
  outcomes?: SendOutcomes;
  /** For the pipeline's status observers: `failed` statuses of campaign messages; every status of one for the funnel. */
  statusObservers: StatusObserver[];
  /** For the pipeline's inbound observers: replies to campaign messages. */
  inboundObservers: InboundObserver[];
  /** For the inbound turn: opt-out keywords answering a campaign message (receiving.ts). */
  interceptors: InboundInterceptor[];
  /** The funnel, replies, opt-outs, conversions and figures. */
  receiving: CampaignReceiving;
}

/**
 * WhatsApp campaigns (seed 003): `/api/v1/campaigns*` and `/api/v1/templates` in the `v1`
 * group — campaigns and their template steps, targeting and enrollment, status rules, and the
 * figures read from the enrollments; with `sending`, the sender (queue `campaign-sender`) and Meta's
 * answers to its sends (docs/campaigns.md, "Sending").
 */
export function createCampaignsModule(deps: {
  connection: Connection;
  logger: Logger;
  config: Pick<Config, 'WHATSAPP_BUSINESS_ACCOUNT_ID'>;
  graph: GraphClient;
  contacts: ContactStore;
  leads: LeadStore;
  /** Records campaign.started, campaign.paused and contact.enrolled with their changes (outbox). */
  events?: EventRecorder;
  sending?: CampaignSendingDeps;
}): CampaignsModule {
  const campaigns = createCampaignStore(deps.connection, deps.events);
  const enrollments = createEnrollmentStore(deps.connection, deps.events);
  const targeting = createTargeting(deps.connection, async () => void (await Promise.all([deps.contacts.ready(), deps.leads.ready()])));
  const templates = createTemplateCatalog({ graph: deps.graph, wabaId: deps.config.WHATSAPP_BUSINESS_ACCOUNT_ID, logger: deps.logger });
  // A deleted (or erased) contact leaves no enrollment behind.
  deps.contacts.listen({ deleted: async (orgId, contactId) => void (await enrollments.deleteForContact(orgId, contactId)) });
  const sending = deps.sending;
  const recent = sending ? createRecentCampaignSends(sending.redis, sending.keyPrefix) : undefined;
  const sender = sending
    ? createSender({
        connection: deps.connection,
        redis: sending.redis,
        keyPrefix: sending.keyPrefix,
        recent,
        queue: sending.queue(campaignQueues.sender),
        outbound: sending.outbound,
        log: sending.log,
        campaigns,
        templates,
        metrics: sending.metrics,
        logger: deps.logger,
        maxMps: sending.config.WHATSAPP_MAX_MPS,
        tickMs: sending.config.CAMPAIGN_SENDER_TICK_MS,
        orgNumbers: sending.orgNumbers,
        defaultPhoneNumberId: sending.config.WHATSAPP_PHONE_NUMBER_ID,
      })
    : undefined;
  const outcomes = sending && sender ? createSendOutcomes({ connection: deps.connection, log: sending.log, sender, metrics: sending.metrics }) : undefined;
  if (sending && outcomes) sending.outbound.onPermanentFailure((failure) => outcomes.onSendFailure(failure));
  const receiving = createCampaignReceiving({ connection: deps.connection, logger: deps.logger, contacts: deps.contacts, leads: deps.leads, enrollments, ...(deps.events ? { events: deps.events } : {}), ...(sending ? { messages: sending.log.model, recent } : {}) });
  const routeDeps = { campaigns, enrollments, targeting, templates, figures: receiving.figures, ...(sending ? { orgNumbers: sending.orgNumbers } : {}) };
  return {
    module: {
      name: 'campaigns',
      routes: campaignRoutes(routeDeps),
      ...(sender
        ? {
            workers: () => {
              sender.schedule().catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule the campaign sender'));
              return [{ queue: campaignQueues.sender, tier: 'background', concurrency: 8, processor: sender.processor }];
            },
          }
        : {}),
    },
    campaigns,
    enrollments,
    templates,
    ...(sender ? { sender } : {}),
    ...(outcomes ? { outcomes } : {}),
    statusObservers: [...(outcomes ? [outcomes.statusObserver] : []), ...receiving.statusObservers],
    inboundObservers: receiving.inboundObservers,
    interceptors: receiving.interceptors,
    receiving,
  };
}
