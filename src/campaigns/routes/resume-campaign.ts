import type { RouteGroup } from '../../platform/http/route-group.js';
import type { CampaignRouteDeps } from './context.js';
import { readyToSend } from './start-campaign.js';
import { registerStatusAction, statusActionRoute } from './status-action.js';

export const resumeCampaignRoute = statusActionRoute('resume', 'Resume a paused campaign (→ active, campaign.started with reason "resumed" unless one is given); like start, it needs a message and APPROVED templates', [422, 503]);

export function registerResumeCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  registerStatusAction(group, deps, resumeCampaignRoute, 'resume', readyToSend(deps));
}
