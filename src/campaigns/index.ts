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

export { renderParameters, type PersonalizationSubject } from './personalization.js';

/** The collections whose documents carry an outbox (campaign.started/paused, contact.enrolled): for the relay's sweep. */
export const CAMPAIGN_EVENT_COLLECTIONS = ['campaigns', 'campaign_enrollments'] as const;

export interface CampaignsModule {
  module: Module;
  campaigns: CampaignStore;
  enrollments: EnrollmentStore;
  templates: TemplateCatalog;
}

/**
 * WhatsApp campaigns (seed 003, part A): `/api/v1/campaigns*` and `/api/v1/templates` in the `v1`
 * group — campaigns and their template steps, targeting and enrollment, status rules, and the
 * figures read from the enrollments. Sending comes in part B (docs/campaigns.md).
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
}): CampaignsModule {
  const campaigns = createCampaignStore(deps.connection, deps.events);
  const enrollments = createEnrollmentStore(deps.connection, deps.events);
  const targeting = createTargeting(deps.connection, async () => void (await Promise.all([deps.contacts.ready(), deps.leads.ready()])));
  const templates = createTemplateCatalog({ graph: deps.graph, wabaId: deps.config.WHATSAPP_BUSINESS_ACCOUNT_ID, logger: deps.logger });
  // A deleted (or erased) contact leaves no enrollment behind.
  deps.contacts.listen({ deleted: async (orgId, contactId) => void (await enrollments.deleteForContact(orgId, contactId)) });
  return {
    module: { name: 'campaigns', routes: campaignRoutes({ campaigns, enrollments, targeting, templates }) },
    campaigns,
    enrollments,
    templates,
  };
}
