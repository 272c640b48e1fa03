import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { META_LIMITS } from './message-limits.js';

const codePoints = (max: number) => z.string().trim().min(1).refine((s) => [...s].length <= max, `at most ${max} characters`);

/** One plan: `name` is a list row title and `description` its subtitle, so Meta's limits apply. */
export const planSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes (it goes into reply ids)'),
  name: codePoints(META_LIMITS.rowTitle),
  speedMbps: z.number().int().positive(),
  monthlyPriceCop: z.number().int().positive(),
  description: codePoints(META_LIMITS.rowDescription),
});
export type Plan = z.infer<typeof planSchema>;

/** The plans catalog: 1–10 plans (one list message holds at most 10 rows) with unique ids. */
export const plansCatalogSchema = z.object({
  plans: z
    .array(planSchema)
    .min(1)
    .max(META_LIMITS.rowsTotal)
    .refine((plans) => new Set(plans.map((p) => p.id)).size === plans.length, 'plan ids must be unique'),
});
export type PlansCatalog = z.infer<typeof plansCatalogSchema>;

/**
 * Reads and validates the plans catalog at start-up; throws one error naming every problem, so
 * a bad catalog stops the process instead of breaking a conversation later. Without `path` it
 * reads `bot/plans.json` (found both from the sources and from `dist/`).
 */
export function loadPlansCatalog(path?: string): PlansCatalog {
  const file = path ?? defaultCatalogPath();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`plans catalog ${file} cannot be read as JSON: ${(err as Error).message}`, { cause: err });
  }
  return parsePlansCatalog(json, file);
}

/** Validates an already-parsed catalog (`source` names it in the error). */
export function parsePlansCatalog(json: unknown, source = 'plans catalog'): PlansCatalog {
  const result = plansCatalogSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`plans catalog ${source} is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The plan with `id`, if the catalog has it. */
export function findPlan(catalog: PlansCatalog, id: string | undefined): Plan | undefined {
  return id === undefined ? undefined : catalog.plans.find((p) => p.id === id);
}

function defaultCatalogPath(): string {
  // Sources: bot/plans.ts → bot/plans.json. Built: dist/bot/plans.js → ../../bot/plans.json
  // (tsc does not copy JSON that is read at run time).
  const candidates = ['./plans.json', '../../bot/plans.json'].map((c) => fileURLToPath(new URL(c, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? (candidates[0] as string);
}
