import type { RouteGroup } from '../../platform/http/route-group.js';
import type { CampaignRouteDeps } from './context.js';
import { registerStatusAction, statusActionRoute } from './status-action.js';

export const pauseCampaignRoute = statusActionRoute('pause', 'Pause an active campaign (→ paused, campaign.paused): nothing more is sent until it is resumed', []);

export function registerPauseCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  registerStatusAction(group, deps, pauseCampaignRoute, 'pause');
}
