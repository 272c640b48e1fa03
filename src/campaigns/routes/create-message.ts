import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { campaignIdParam, createMessageSchema, messageExample, messageSchema, toMessage } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';
import { parametersOrThrow, verifiedFields } from './message-input.js';

export const createMessageRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaigns/{id}/messages',
  summary: 'Add a step: an APPROVED WhatsApp template with its parameters (personalization tokens allowed), a delay and a time of day',
  description: [
    'The template must be APPROVED in the WhatsApp Business Account and take exactly the parameters given (422 naming the problem); when the Graph API cannot be read: 503.',
    'Parameters: a string (literal, `{{first_name}}`, `{{name}}`, `{{email}}`, `{{company}}`, `{{deal_value}}`, `{{score}}`, `{{custom.<key>}}`, or text mixing them) or `{"value": "{{first_name}}", "fallback": "cliente"}`.',
    'A positional template ({{1}}, {{2}}…) takes its parameters in order. A NAMED template ({{nombre}}…) takes one per placeholder, each naming it: `{"name": "nombre", "value": "{{first_name}}", "fallback": "cliente"}`; an unknown or missing name is a 422 naming it. Names are sent as WhatsApp’s `parameter_name`.',
    'Without WHATSAPP_BUSINESS_ACCOUNT_ID the template cannot be checked: the message is kept with `template_verified: false`.',
  ].join('\n\n'),
  request: {
    params: campaignIdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createMessageSchema,
          example: { step_number: 1, message_type: 'whatsapp', template_name: 'promo_hogar', template_language: 'es', template_parameters: [{ value: '{{first_name}}', fallback: 'cliente' }, 'Hogar 500 Mbps'], delay_amount: 0, delay_unit: 'days', send_time: '10:00' },
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: messageSchema, example: messageExample } } },
    ...errorResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

export function registerCreateMessage(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    createMessageRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await changeableCampaign(deps, orgId, c.req.valid('param').id, 'messages');
      const body = c.req.valid('json');
      const params = parametersOrThrow(body);
      const ref = {
        template_name: body.template_name,
        template_language: body.template_language,
        template_parameters: params.template_parameters ?? [],
        header_parameters: params.header_parameters ?? [],
        ...(body.header_media_url ? { header_media_url: body.header_media_url } : {}),
      };
      const { set } = await verifiedFields(deps.templates, ref);
      const doc = await deps.campaigns.createMessage(orgId, campaign._id, {
        ...ref,
        ...set,
        ...(body.step_number !== undefined ? { step_number: body.step_number } : {}),
        message_type: 'whatsapp',
        delay_amount: body.delay_amount,
        delay_unit: body.delay_unit,
        ...(body.send_time ? { send_time: body.send_time } : {}),
      });
      return c.json(toMessage(doc), 201);
    },
    campaignsHook,
  );
}
