/** The lead's hybrid score: qualify now, a rep's manual score, the breakdown, and the organization's rules. */
import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { DEFAULT_WEIGHTS, QUALIFY_AT, SCORE_TYPES } from '../scoring/types.js';
import { leadExample, leadIdParam, leadSchema, manualScoreBodySchema, scoresSchema, scoringRulesBodySchema, scoringRulesSchema, toLead, toScoreEntry } from '../schemas.js';
import { actor, found, type LeadRouteDeps } from './context.js';

const leadAnswer = (description: string) => ({ 200: { description, content: { 'application/json': { schema: leadSchema, example: leadExample } } } });

export const qualifyRoute = createRoute({
  method: 'post',
  path: '/api/v1/leads/{id}/qualify',
  summary: 'Score the lead now (ai_intent, engagement, demographic, workflow, manual → combined) and apply auto-qualification',
  description: `qualified at min_score_threshold (default ${QUALIFY_AT}) or more, disqualified under 40, unqualified between; a lead at stage lead with 75 or more moves to mql. The threshold applies to this call; automatic rescoring (on WhatsApp activity and data changes) uses ${QUALIFY_AT}.`,
  request: {
    params: leadIdParam,
    query: z.object({ min_score_threshold: z.coerce.number().min(0).max(100).default(QUALIFY_AT).openapi({ param: { name: 'min_score_threshold', in: 'query' }, example: QUALIFY_AT }) }),
  },
  responses: { ...leadAnswer('The lead with its new score, qualification and stage'), ...errorResponses(400, 401, 403, 404) },
});

export const manualScoreRoute = createRoute({
  method: 'post',
  path: '/api/v1/leads/{id}/score',
  summary: 'A sales rep’s manual score (0–100) with the reason; it joins the combined score with its weight',
  request: { params: leadIdParam, body: { required: true, content: { 'application/json': { schema: manualScoreBodySchema, example: { score_value: 85, reason: 'High-value enterprise prospect with clear budget' } } } } },
  responses: { ...leadAnswer('The lead rescored'), ...errorResponses(400, 401, 403, 404) },
});

export const scoresRoute = createRoute({
  method: 'get',
  path: '/api/v1/leads/{id}/scores',
  summary: 'The latest score of each type with its reason and factors, so the combined score explains itself',
  request: { params: leadIdParam },
  responses: {
    200: {
      description: 'The breakdown',
      content: {
        'application/json': {
          schema: scoresSchema,
          example: {
            lead_id: leadExample.id,
            scores_by_type: {
              engagement: { latest_score: 45, latest_scored_at: '2025-01-16T14:30:00.000Z', reason: '3 replies, 2 reads, 1 tap and 0 completed handovers in the last 30 days', confidence: null, factors: { replies: { count: 3, points: 15 } }, set_by: null },
              combined: { latest_score: 78, latest_scored_at: '2025-01-16T14:30:00.000Z', reason: 'Weighted average of ai_intent 82, engagement 45 and workflow 100', confidence: null, factors: {}, set_by: null },
            },
            latest_combined_score: 78,
            qualification_status: 'qualified',
            weights: DEFAULT_WEIGHTS,
          },
        },
      },
    },
    ...errorResponses(401, 403, 404),
  },
});

export const getRulesRoute = createRoute({
  method: 'get',
  path: '/api/v1/scoring/rules',
  summary: 'The organization’s demographic rules and combined-score weights',
  responses: { 200: { description: 'The rules', content: { 'application/json': { schema: scoringRulesSchema } } }, ...errorResponses(401, 403) },
});

export const putRulesRoute = createRoute({
  method: 'put',
  path: '/api/v1/scoring/rules',
  summary: 'Replace the demographic rules (and optionally the weights); every open lead is rescored in the background',
  description:
    'A rule gives points (0–100) to the values of one field: `qualification_data.<key>`, `custom_fields.<key>`, `contact.company`, `contact.tags`, `contact.locale` or `contact.custom_fields.<key>`. Values compare as lowercase text; a value not listed gets `default_points`, or the rule is skipped. The demographic score is the average of the rules that apply.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: scoringRulesBodySchema,
          example: {
            demographic_rules: [
              { field: 'qualification_data.company_size', points: { '1-10': 30, '51-200': 60, '200+': 90 } },
              { field: 'qualification_data.industry', points: { technology: 90, retail: 50 }, default_points: 20 },
            ],
            weights: DEFAULT_WEIGHTS,
          },
        },
      },
    },
  },
  responses: { 200: { description: 'The rules as stored', content: { 'application/json': { schema: scoringRulesSchema } } }, ...errorResponses(400, 401, 403, 422) },
});

export function registerScoringRoutes(group: RouteGroup, deps: LeadRouteDeps): void {
  group.openapi(qualifyRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    return c.json(toLead(found(await deps.rescore.run(orgId, id, { threshold: c.req.valid('query').min_score_threshold }), id)), 200);
  });

  group.openapi(manualScoreRoute, async (c) => {
    const auth = c.get('auth');
    const { id } = c.req.valid('param');
    const { score_value, reason } = c.req.valid('json');
    return c.json(toLead(found(await deps.rescore.run(auth.orgId, id, { manual: { score: score_value, reason, by: actor(auth) } }), id)), 200);
  });

  group.openapi(scoresRoute, async (c) => {
    const { orgId } = c.get('auth');
    const { id } = c.req.valid('param');
    const [lead, latest, settings] = await Promise.all([deps.leads.get(orgId, id), deps.leads.latestScores(orgId, id), deps.leads.settings(orgId)]);
    const scored = found(lead, id);
    const byType = Object.fromEntries(SCORE_TYPES.flatMap((t) => (latest?.[t] ? [[t, toScoreEntry(latest[t])]] : [])));
    return c.json({ lead_id: id, scores_by_type: byType, latest_combined_score: scored.score, qualification_status: scored.qualification_status ?? null, weights: settings.weights }, 200);
  });

  group.openapi(getRulesRoute, async (c) => {
    const settings = await deps.leads.settings(c.get('auth').orgId);
    return c.json({ ...settings, updated_at: settings.updated_at?.toISOString() ?? null }, 200);
  });

  group.openapi(putRulesRoute, async (c) => {
    const { orgId } = c.get('auth');
    const body = c.req.valid('json');
    const current = await deps.leads.settings(orgId);
    const saved = await deps.leads.saveSettings(orgId, { demographic_rules: body.demographic_rules, weights: body.weights ?? current.weights });
    await deps.scores.scheduleOrg(orgId);
    return c.json({ demographic_rules: saved.demographic_rules, weights: saved.weights, updated_at: saved.updated_at.toISOString() }, 200);
  });
}
