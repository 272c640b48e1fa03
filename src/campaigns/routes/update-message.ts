import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { messageExample, messageParams, messageSchema, toMessage, updateMessageSchema } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';
import { parametersOrThrow, verifiedFields } from './message-input.js';

export const updateMessageRoute = createRoute({
  method: 'patch',
  path: '/api/v1/campaigns/{id}/messages/{message_id}',
  summary: 'Change a step; a change to its template or parameters is checked against the account’s templates again (422, 503)',
  request: {
    params: messageParams,
    body: { required: true, content: { 'application/json': { schema: updateMessageSchema, example: { delay_amount: 3, delay_unit: 'days', send_time: '18:30' } } } },
  },
  responses: {
    200: { description: 'The step as changed', content: { 'application/json': { schema: messageSchema, example: messageExample } } },
    ...errorResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

const TEMPLATE_FIELDS = ['template_name', 'template_language', 'template_parameters', 'header_parameters', 'header_media_url'] as const;

export function registerUpdateMessage(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    updateMessageRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const { id, message_id } = c.req.valid('param');
      const campaign = await changeableCampaign(deps, orgId, id, 'messages');
      const current = await deps.campaigns.getMessage(orgId, campaign._id, message_id);
      if (!current) throw new AppError('NOT_FOUND', `No message ${message_id} in campaign ${id}`);
      const body = c.req.valid('json');
      const params = parametersOrThrow(body);
      const set: Record<string, unknown> = {};
      const unset: string[] = [];
      for (const field of ['step_number', 'delay_amount', 'delay_unit', 'template_name', 'template_language'] as const) if (body[field] !== undefined) set[field] = body[field];
      if (params.template_parameters) set.template_parameters = params.template_parameters;
      if (params.header_parameters) set.header_parameters = params.header_parameters;
      for (const field of ['send_time', 'header_media_url'] as const) {
        if (body[field] === null) unset.push(field);
        else if (body[field] !== undefined) set[field] = body[field];
      }
      if (TEMPLATE_FIELDS.some((f) => body[f] !== undefined)) {
        const next = { ...current, ...set } as typeof current;
        if (unset.includes('header_media_url')) delete next.header_media_url;
        const verified = await verifiedFields(deps.templates, next);
        Object.assign(set, verified.set);
        unset.push(...verified.unset);
      }
      const doc = await deps.campaigns.updateMessage(orgId, campaign._id, message_id, { set, unset });
      if (!doc) throw new AppError('NOT_FOUND', `No message ${message_id} in campaign ${id}`);
      return c.json(toMessage(doc), 200);
    },
    campaignsHook,
  );
}
