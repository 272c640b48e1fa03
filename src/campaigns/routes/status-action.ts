/** What start, pause and resume share: the route's shape and the call to the store's status action. */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import type { CampaignAction } from '../lifecycle.js';
import type { CampaignDoc } from '../models.js';
import { campaignExample, campaignIdParam, campaignSchema, statusChangeBodySchema, toCampaign } from '../schemas.js';
import { actor, campaignsHook, type CampaignRouteDeps } from './context.js';

export function statusActionRoute(action: Exclude<CampaignAction, 'archive' | 'complete'>, summary: string, errors: number[]) {
  return createRoute({
    method: 'post',
    path: `/api/v1/campaigns/{id}/${action}`,
    summary,
    request: { params: campaignIdParam, body: { required: false, content: { 'application/json': { schema: statusChangeBodySchema, example: { reason: 'Ajuste de presupuesto' } } } } },
    responses: {
      200: { description: 'The campaign after the change', content: { 'application/json': { schema: campaignSchema, example: { ...campaignExample, status: action === 'pause' ? 'paused' : 'active' } } } },
      ...errorResponses(400, 401, 403, 404, 409, ...errors),
    },
  } satisfies RouteConfig);
}

export function registerStatusAction(group: RouteGroup, deps: CampaignRouteDeps, route: ReturnType<typeof statusActionRoute>, action: Exclude<CampaignAction, 'archive' | 'complete'>, precondition?: (orgId: string, campaign: CampaignDoc) => Promise<void>): void {
  group.openapi(
    route,
    async (c) => {
      const { id } = c.req.valid('param');
      const auth = c.get('auth');
      const body = c.req.valid('json') as { reason?: string } | undefined;
      const doc = await deps.campaigns.act(auth.orgId, id, action, { by: actor(auth), reason: body?.reason ?? null, ...(precondition ? { precondition: (current: CampaignDoc) => precondition(auth.orgId, current) } : {}) });
      if (!doc) throw new AppError('NOT_FOUND', `No campaign ${id}`);
      return c.json(toCampaign(doc), 200);
    },
    campaignsHook,
  );
}
