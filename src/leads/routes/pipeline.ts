/** Moving a lead through the pipeline: stage, assignee, deal value and its other fields. */
import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { dealValueBodySchema, leadExample, leadIdParam, leadSchema, stageChangeBodySchema, toLead, updateLeadSchema } from '../schemas.js';
import { actor, found, type LeadRouteDeps } from './context.js';

const leadAnswer = (description: string) => ({ 200: { description, content: { 'application/json': { schema: leadSchema, example: leadExample } } } });

export const changeStageRoute = createRoute({
  method: 'put',
  path: '/api/v1/leads/{id}/stage',
  summary: 'Move a lead to a stage (lead, mql, sql, opportunity, customer, lost); every change is kept in stage_history with its reason, who and when',
  description: 'The same stage again changes nothing. Reopening a won or lost lead answers 409 when the contact has another open lead from the same source.',
  request: { params: leadIdParam, body: { required: true, content: { 'application/json': { schema: stageChangeBodySchema, example: { stage: 'sql', stage_reason: 'Budget confirmed, decision maker engaged' } } } } },
  responses: { ...leadAnswer('The lead as changed'), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

const assignParams = leadIdParam.extend({ user_id: z.string().trim().min(1).max(100).openapi({ param: { name: 'user_id', in: 'path' }, example: 'rep-5' }) });

export const assignRoute = createRoute({
  method: 'put',
  path: '/api/v1/leads/{id}/assign/{user_id}',
  summary: 'Assign a lead to a sales rep (the CRM’s user id)',
  request: { params: assignParams },
  responses: { ...leadAnswer('The lead as assigned'), ...errorResponses(400, 401, 403, 404) },
});

export const dealValueRoute = createRoute({
  method: 'put',
  path: '/api/v1/leads/{id}/deal-value',
  summary: 'Set the lead’s deal value (counts in the pipeline value of /stats while the lead is open)',
  request: { params: leadIdParam, body: { required: true, content: { 'application/json': { schema: dealValueBodySchema, example: { deal_value: 15000 } } } } },
  responses: { ...leadAnswer('The lead as changed'), ...errorResponses(400, 401, 403, 404) },
});

export const updateLeadRoute = createRoute({
  method: 'patch',
  path: '/api/v1/leads/{id}',
  summary: 'Change a lead’s qualification data, custom fields, campaign or expected close date (objects are merged; null removes a key); the lead is rescored',
  request: { params: leadIdParam, body: { required: true, content: { 'application/json': { schema: updateLeadSchema, example: { qualification_data: { budget_confirmed: true, industry: 'retail' } } } } } },
  responses: { ...leadAnswer('The lead as changed'), ...errorResponses(400, 401, 403, 404) },
});

/** `patch` merged into `base`; a null value removes the key. */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function registerPipelineRoutes(group: RouteGroup, deps: LeadRouteDeps): void {
  group.openapi(changeStageRoute, async (c) => {
    const auth = c.get('auth');
    const { id } = c.req.valid('param');
    const { stage, stage_reason } = c.req.valid('json');
    return c.json(toLead(found(await deps.leads.changeStage(auth.orgId, id, { stage, reason: stage_reason ?? null, by: actor(auth) }), id)), 200);
  });

  group.openapi(assignRoute, async (c) => {
    const { id, user_id } = c.req.valid('param');
    return c.json(toLead(found(await deps.leads.set(c.get('auth').orgId, id, { assignee_id: user_id, assigned_at: new Date() }), id)), 200);
  });

  group.openapi(dealValueRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(toLead(found(await deps.leads.set(c.get('auth').orgId, id, { deal_value: c.req.valid('json').deal_value }), id)), 200);
  });

  group.openapi(updateLeadRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const lead = found(await deps.leads.get(orgId, id), id);
    const fields: Parameters<typeof deps.leads.set>[2] = {};
    if (body.qualification_data) fields.qualification_data = merge(lead.qualification_data, body.qualification_data);
    if (body.custom_fields) fields.custom_fields = merge(lead.custom_fields, body.custom_fields);
    const unset: ('campaign_id' | 'expected_close_date')[] = [];
    if (body.campaign_id !== undefined) {
      if (body.campaign_id === null) unset.push('campaign_id');
      else fields.campaign_id = body.campaign_id;
    }
    if (body.expected_close_date !== undefined) {
      if (body.expected_close_date === null) unset.push('expected_close_date');
      else fields.expected_close_date = new Date(body.expected_close_date);
    }
    const updated = found(await deps.leads.set(orgId, id, fields, new Date(), unset), id);
    if (body.qualification_data || body.custom_fields) await deps.scores.schedule(orgId, [id]);
    return c.json(toLead(updated), 200);
  });
}
