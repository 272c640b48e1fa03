import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { enrollByIds, enrollImport } from '../enroll.js';
import { campaignIdParam, enrollBodySchema, enrollmentExample, enrollResultSchema, MAX_ENROLL_IDS } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';
import { toEnrollResult } from './enroll-result.js';

export const enrollContactsRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaigns/{id}/enroll',
  summary: `Enroll contacts by id (up to ${MAX_ENROLL_IDS.toLocaleString('en')} a request) or an import's contacts (import_id); a contact is enrolled in a campaign once`,
  description: [
    'Every id must be a contact of the organization (404 naming the others, before anything is written). Contacts marked do_not_contact are skipped while the campaign excludes them (target_criteria.exclude_do_not_contact, default true).',
    'Answers 201 when this call enrolled someone; contacts enrolled already (also by a concurrent request) are listed in `already_enrolled`. When nobody new was enrolled because everyone was enrolled already: 409 with `details.already_enrolled`. When there was nobody to enroll (an empty import, everyone skipped): 200.',
    'A draft, active or paused campaign takes enrollments; a completed or archived one is a 409.',
  ].join('\n\n'),
  request: {
    params: campaignIdParam,
    body: { required: true, content: { 'application/json': { schema: enrollBodySchema, example: { contact_ids: ['ct_Qm3x8yZpL0aB1cD2', 'ct_Lp9d8cB7a6Z5y4X3'] } } } },
  },
  responses: {
    201: { description: 'Enrolled', content: { 'application/json': { schema: enrollResultSchema, example: { enrolled_count: 1, already_enrolled_count: 1, skipped_count: 0, enrollments: [{ ...enrollmentExample, contact: null }], already_enrolled: ['ct_Lp9d8cB7a6Z5y4X3'], skipped: [] } } } },
    200: { description: 'Nobody to enroll (nothing written)', content: { 'application/json': { schema: enrollResultSchema } } },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerEnrollContacts(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    enrollContactsRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await changeableCampaign(deps, orgId, c.req.valid('param').id, 'enrollments');
      const body = c.req.valid('json');
      let outcome;
      if (body.import_id !== undefined) {
        if (!(await deps.targeting.importExists(orgId, body.import_id))) throw new AppError('NOT_FOUND', `No import ${body.import_id}`);
        outcome = await enrollImport(deps, orgId, campaign, body.import_id);
      } else {
        outcome = await enrollByIds(deps, orgId, campaign, body.contact_ids ?? []);
      }
      if (outcome.enrolled_count === 0 && outcome.already_enrolled_count > 0) {
        throw new AppError('CONFLICT', outcome.already_enrolled_count === 1 ? `Contact ${outcome.already_enrolled[0]} is enrolled in this campaign already` : `All ${outcome.already_enrolled_count} contacts are enrolled in this campaign already`, {
          already_enrolled_count: outcome.already_enrolled_count,
          already_enrolled: outcome.already_enrolled,
          skipped_count: outcome.skipped_count,
        });
      }
      return c.json(toEnrollResult(outcome), outcome.enrolled_count > 0 ? 201 : 200);
    },
    campaignsHook,
  );
}
