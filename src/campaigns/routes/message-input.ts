/** What creating and changing a campaign message share: parameter checks and the template check. */
import { AppError } from '../../platform/http/errors.js';
import type { CampaignMessageDoc, TemplateParameter } from '../models.js';
import { parameterListProblems, parameterProblems, toParameter, type ParameterInput } from '../personalization.js';
import { checkTemplate, type TemplateRef } from '../template-check.js';
import type { TemplateCatalog } from '../templates.js';

/** The parameters as stored, or a 422 naming each unknown token, value WhatsApp would refuse, or names given to some parameters only or twice. */
export function parametersOrThrow(body: { template_parameters?: ParameterInput[]; header_parameters?: ParameterInput[] }): { template_parameters?: TemplateParameter[]; header_parameters?: TemplateParameter[] } {
  const out: { template_parameters?: TemplateParameter[]; header_parameters?: TemplateParameter[] } = {};
  const problems: { path: string; message: string }[] = [];
  for (const field of ['template_parameters', 'header_parameters'] as const) {
    const list = body[field];
    if (!list) continue;
    out[field] = list.map(toParameter);
    out[field].forEach((p, i) => problems.push(...parameterProblems(p, `${field}.${i}`)));
    problems.push(...parameterListProblems(out[field], field));
  }
  if (problems.length) throw new AppError('INVALID_VALUE', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  return out;
}

/** The template fields to store after checking `ref` against the account's templates (unset when templates are not configured). */
export async function verifiedFields(catalog: TemplateCatalog, ref: TemplateRef): Promise<{ set: Partial<CampaignMessageDoc>; unset: string[] }> {
  const verified = await checkTemplate(catalog, ref);
  if (!verified) return { set: {}, unset: ['template_verified_at', 'template_category'] };
  return { set: { template_verified_at: verified.verified_at, template_category: verified.category }, unset: [] };
}
