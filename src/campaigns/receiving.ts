/**
 * The receiving side of campaigns (docs/campaigns.md, "Funnel" to "Activities"): what WhatsApp and
 * the CRM tell us after a step is sent. Status webhooks fill the funnel (funnel-tracking.ts),
 * replies are attributed (replies.ts), opt-out keywords are honoured before the bot sees them
 * (opt-out.ts), lead stage changes become conversions (conversions.ts), and the figures are
 * computed from all of it (analytics.ts).
 */
import type { Connection } from 'mongoose';
import type { ContactStore } from '../contacts/store.js';
import type { MessageModel } from '../conversations/message-log.js';
import type { InboundInterceptor, InboundObserver, StatusObserver } from '../conversations/ports.js';
import type { LeadStore } from '../leads/store.js';
import type { EventRecorder } from '../platform/events/outbox.js';
import type { Logger } from '../platform/logging/logger.js';
import { createActivityLog, type ActivityLog } from './activity-log.js';
import { createCampaignFigures, type CampaignFigures } from './analytics.js';
import { campaignMessagesFrom } from './campaign-messages.js';
import { createConversions } from './conversions.js';
import type { EnrollmentStore } from './enrollments.js';
import { createFunnelTracking } from './funnel-tracking.js';
import { createOptOut, type OptOut } from './opt-out.js';
import type { RecentCampaignSends } from './recent-sends.js';
import { createReplyTracking } from './replies.js';

export interface CampaignReceiving {
  activities: ActivityLog;
  figures: CampaignFigures;
  /** For the pipeline: statuses of campaign messages fill the funnel. */
  statusObservers: StatusObserver[];
  /** For the pipeline: replies to campaign messages, after the turn. */
  inboundObservers: InboundObserver[];
  /** For the pipeline's inbound turn: opt-out keywords answering a campaign message. */
  interceptors: InboundInterceptor[];
  optOut?: OptOut;
}

export function createCampaignReceiving(deps: {
  connection: Connection;
  logger: Logger;
  events?: EventRecorder;
  contacts: ContactStore;
  leads: LeadStore;
  enrollments: EnrollmentStore;
  /** The conversation log's messages (where campaign sends are logged with their wamid); without it nothing is tracked. */
  messages?: MessageModel;
  /** The conversations campaign steps went to lately (recent-sends.ts): spares the usual message a MongoDB look-up. */
  recent?: RecentCampaignSends;
}): CampaignReceiving {
  const activities = createActivityLog(deps.connection);
  const figures = createCampaignFigures({ connection: deps.connection, enrollments: deps.enrollments, activities });
  const conversions = createConversions({ connection: deps.connection, logger: deps.logger, ...(deps.events ? { events: deps.events } : {}) });
  deps.leads.listen(conversions.listener);
  // A deleted (or erased) contact leaves no activity behind.
  deps.contacts.listen({ deleted: async (orgId, contactId) => void (await activities.deleteForContact(orgId, contactId)) });
  if (!deps.messages) return { activities, figures, statusObservers: [], inboundObservers: [], interceptors: [] };
  const messages = campaignMessagesFrom(deps.messages);
  const funnel = createFunnelTracking({ connection: deps.connection, messages, activities, logger: deps.logger });
  const recent = deps.recent ? { recent: deps.recent } : {};
  const replies = createReplyTracking({ connection: deps.connection, messages, activities, logger: deps.logger, ...recent });
  const optOut = createOptOut({ connection: deps.connection, messages, contacts: deps.contacts, logger: deps.logger, ...recent });
  void activities.ready().catch((err: unknown) => deps.logger.warn({ err }, 'could not create the campaign activity indexes'));
  return { activities, figures, statusObservers: [funnel.observer], inboundObservers: [replies.observer], interceptors: [optOut.interceptor], optOut };
}
