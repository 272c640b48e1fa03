import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { contactSnapshot } from '../contact-sync.js';
import { createLeadSchema, leadExample, leadSchema, toLead } from '../schemas.js';
import { actor, type LeadRouteDeps } from './context.js';

export const createLeadRoute = createRoute({
  method: 'post',
  path: '/api/v1/leads',
  summary: 'Create a lead from a contact: stage lead, score 0, then scored from what Puente knows of the contact',
  description:
    'A contact has at most one open lead (stage neither customer nor lost) per source: a second one answers 409 with `details.existing_id` — update that lead instead. Once it is won or lost, a new lead from the same source may start.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: createLeadSchema,
          example: { contact_id: 'ct_Qm3x8yZpL0aB1cD2', source: 'website', deal_value: 10000, expected_close_date: '2025-12-31T00:00:00Z', qualification_data: { company_size: '51-200', budget_confirmed: true }, custom_fields: { product_interest: 'Hogar 500 Mbps' } },
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: leadSchema, example: { ...leadExample, stage: 'lead', score: 0, qualification_status: null, scored_at: null } } } },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerCreateLead(group: RouteGroup, deps: LeadRouteDeps): void {
  group.openapi(createLeadRoute, async (c) => {
    const auth = c.get('auth');
    const body = c.req.valid('json');
    const contact = await deps.contacts.get(auth.orgId, body.contact_id);
    if (!contact) throw new AppError('NOT_FOUND', `No contact ${body.contact_id}`);
    const lead = await deps.leads.create(
      auth.orgId,
      {
        contact_id: contact._id,
        contact: contactSnapshot(contact),
        source: body.source,
        ...(body.campaign_id ? { campaign_id: body.campaign_id } : {}),
        ...(body.deal_value !== undefined ? { deal_value: body.deal_value } : {}),
        ...(body.expected_close_date ? { expected_close_date: new Date(body.expected_close_date) } : {}),
        ...(body.qualification_data ? { qualification_data: body.qualification_data } : {}),
        ...(body.custom_fields ? { custom_fields: body.custom_fields } : {}),
      },
      actor(auth),
    );
    await deps.scores.schedule(auth.orgId, [lead._id]);
    return c.json(toLead(lead), 201);
  });
}
