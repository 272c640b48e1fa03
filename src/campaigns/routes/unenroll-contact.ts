import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { contactParams, enrollmentExample, enrollmentSchema, toEnrollment } from '../schemas.js';
import { campaignsHook, changeableCampaign, type CampaignRouteDeps } from './context.js';

export const unenrollContactRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaigns/{id}/unenroll/{contact_id}',
  summary: 'Take a contact out of the campaign: its enrollment ends (status unsubscribed, exit_reason unenrolled) and nothing more is sent; its funnel times stay',
  description: 'A contact that is not enrolled is a 404; one whose enrollment has ended already (completed, bounced, unsubscribed) is a 409. An ended enrollment is not re-opened: the contact cannot be enrolled in this campaign again.',
  request: { params: contactParams },
  responses: {
    200: { description: 'The enrollment, ended', content: { 'application/json': { schema: enrollmentSchema, example: { ...enrollmentExample, status: 'unsubscribed', exit_reason: 'unenrolled', unenrolled_at: '2026-03-02T09:00:00.000Z' } } } },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function registerUnenrollContact(group: RouteGroup, deps: CampaignRouteDeps): void {
  group.openapi(
    unenrollContactRoute,
    async (c) => {
      const { orgId } = c.get('auth');
      const { id, contact_id } = c.req.valid('param');
      const campaign = await changeableCampaign(deps, orgId, id, 'enrollments');
      const result = await deps.enrollments.unenroll(orgId, campaign._id, contact_id);
      if (result === null) throw new AppError('NOT_FOUND', `Contact ${contact_id} is not enrolled in campaign ${id}`);
      if (result === 'ended') throw new AppError('CONFLICT', `The enrollment of contact ${contact_id} has ended already`);
      const [contact] = await deps.targeting.contactDocs(orgId, [contact_id]);
      return c.json(toEnrollment(result, contact ?? null), 200);
    },
    campaignsHook,
  );
}
