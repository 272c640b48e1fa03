import { createRoute } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { enrollFromCriteria } from '../enroll.js';
import { campaignIdParam, ENROLL_RESULT_LIST_CAP, enrollmentExample, enrollResultSchema } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';
import { toEnrollResult } from './enroll-result.js';

export const enrollFromCriteriaRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaigns/{id}/enroll-from-criteria',
  summary: 'Enroll every contact the campaign’s target_criteria select (what GET /targeted-contacts previews), up to max_contacts',
  description: `Streams the targeted contacts in batches of 5,000 (100,000 contacts take seconds). Answers the counts and the first ${ENROLL_RESULT_LIST_CAP} enrollments made; contacts enrolled meanwhile by another request are counted as already enrolled. A completed or archived campaign is a 409.`,
  request: { params: campaignIdParam },
  responses: {
    200: { description: 'What was enrolled', content: { 'application/json': { schema: enrollResultSchema, example: { enrolled_count: 1250, already_enrolled_count: 0, skipped_count: 0, enrollments: [{ ...enrollmentExample, source: 'criteria', contact: null }], already_enrolled: [], skipped: [] } } } },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function registerEnrollFromCriteria(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    enrollFromCriteriaRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const campaign = await changeableCampaign(deps, orgId, c.req.valid('param').id, 'enrollments');
      return c.json(toEnrollResult(await enrollFromCriteria(deps, orgId, campaign)), 200);
    },
    campaignsHook,
  );
}
