import type { Module } from '../../src/platform/module.js';
import type { CrmRouteDeps } from './context.js';
import { registerHandover } from './handover.js';
import { registerHandoverStatus } from './handover-status.js';
import { registerMetaHandoverWebhook } from './meta-handover-webhook.js';
import { registerSendMessage } from './send-message.js';
import { registerTicketMessages } from './ticket-messages.js';

/**
 * The CRM-facing API: the calls the CRM makes with its bearer token (`crm` group), plus Meta's
 * thread-control webhook, which lives under /api/crm/ but is signed by Meta (`meta` group).
 */
export function crmRoutes(deps: CrmRouteDeps): NonNullable<Module['routes']> {
  return {
    crm(group) {
      registerHandover(group, deps);
      registerSendMessage(group, deps);
      registerHandoverStatus(group, deps);
      registerTicketMessages(group, deps);
    },
    meta: (group) => registerMetaHandoverWebhook(group, deps),
  };
}
