import { AppError } from '../../platform/http/errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { CampaignDoc } from '../models.js';
import { templateProblems } from '../template-check.js';
import type { CampaignRouteDeps } from './context.js';
import { registerStatusAction, statusActionRoute } from './status-action.js';

export const startCampaignRoute = statusActionRoute(
  'start',
  'Start a draft campaign (→ active, campaign.started): it needs at least one message (409), and each message’s template is checked again (422 naming the step; 503 when the Graph API cannot be read)',
  [422, 503],
);

/** What starting and resuming need: at least one message (409), each template still APPROVED with its parameter counts (422; 503 when Graph cannot be read). */
export function readyToSend(deps: CampaignRouteDeps) {
  return async (orgId: string, campaign: CampaignDoc): Promise<void> => {
    const messages = await deps.campaigns.allMessages(orgId, campaign._id);
    if (messages.length === 0) throw new AppError('CONFLICT', `The campaign has no messages: add at least one before ${campaign.status === 'paused' ? 'resuming' : 'starting'} it`, { status: campaign.status });
    // A template may have been paused, rejected or edited since its message was saved.
    if (!deps.templates.configured) return;
    const templates = await deps.templates.list();
    const problems = messages.flatMap((m) => templateProblems(m, templates).problems.map((p) => ({ path: `messages.step_${m.step_number}.${p.path}`, message: `step ${m.step_number}: ${p.message}` })));
    if (problems.length) throw new AppError('INVALID_VALUE', problems.map((p) => p.message).join('; '), problems);
  };
}

export function registerStartCampaign(group: RouteGroup, deps: CampaignRouteDeps): void {
  registerStatusAction(group, deps, startCampaignRoute, 'start', readyToSend(deps));
}
