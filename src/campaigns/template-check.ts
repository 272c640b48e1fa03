/** Whether a campaign message can be sent as written: its template exists, is APPROVED and takes the parameters given. */
import { AppError } from '../platform/http/errors.js';
import type { CampaignMessageDoc, TemplateParameter } from './models.js';
import type { TemplateCatalog, TemplateInfo } from './templates.js';

export type TemplateRef = Pick<CampaignMessageDoc, 'template_name' | 'template_language' | 'template_parameters' | 'header_parameters' | 'header_media_url'>;

const FIELD_COMPONENT = { template_parameters: 'BODY', header_parameters: 'HEADER' } as const;

/**
 * Whether a list of parameters fits its component (body or header text): a positional template
 * takes exactly its count of parameters, unnamed and in order; a NAMED one takes each of the
 * component's placeholder names once (any order), so an unknown name and a missing one are both
 * named in the problem.
 */
function parameterMappingProblems(template: TemplateInfo, field: keyof typeof FIELD_COMPONENT, given: readonly TemplateParameter[], label: string): { path: string; message: string }[] {
  const where = FIELD_COMPONENT[field].toLowerCase();
  const count = field === 'template_parameters' ? template.body_parameter_count : template.header_parameter_count;
  const component = template.components.find((c) => c.type === FIELD_COMPONENT[field]);
  const expected = count > 0 ? (component?.parameter_names ?? []) : [];
  const list = (names: readonly string[]) => names.map((n) => `{{${n}}}`).join(', ');
  if (template.parameter_format !== 'NAMED' || expected.length === 0) {
    const problems: { path: string; message: string }[] = [];
    if (given.some((p) => p.name)) problems.push({ path: field, message: `${label} takes positional ${where} parameters ({{1}}, {{2}}…, in order): leave name out of ${field}` });
    if (given.length !== count) problems.push({ path: field, message: `${label} takes ${count} ${where} parameter(s); ${field} has ${given.length}` });
    return problems;
  }
  if (given.some((p) => !p.name)) {
    return [{ path: field, message: `${label} has NAMED ${where} parameters: give each of ${field} the name of the placeholder it fills (${list(expected)})` }];
  }
  const names = given.map((p) => p.name as string);
  const unknown = names.filter((n) => !expected.includes(n));
  const missing = expected.filter((n) => !names.includes(n));
  const problems: { path: string; message: string }[] = [];
  if (unknown.length) problems.push({ path: field, message: `${label} has no ${where} parameter named ${unknown.join(', ')} (its ${where} takes ${list(expected)})` });
  if (missing.length) problems.push({ path: field, message: `${label} needs ${field} for ${list(missing)} too` });
  return problems;
}

/** The problems of `ref` against the account's templates (each `{ path, message }`), and the template when found. */
export function templateProblems(ref: TemplateRef, templates: readonly TemplateInfo[]): { template?: TemplateInfo; problems: { path: string; message: string }[] } {
  const label = `template ${ref.template_name} (${ref.template_language})`;
  const template = templates.find((t) => t.name === ref.template_name && t.language === ref.template_language);
  if (!template) {
    const languages = templates.filter((t) => t.name === ref.template_name).map((t) => t.language);
    const message = languages.length
      ? `template ${ref.template_name} has no ${ref.template_language} version in the WhatsApp Business Account (it has ${languages.join(', ')})`
      : `no template named ${ref.template_name} in the WhatsApp Business Account`;
    return { problems: [{ path: languages.length ? 'template_language' : 'template_name', message }] };
  }
  const problems: { path: string; message: string }[] = [];
  if (template.status !== 'APPROVED') problems.push({ path: 'template_name', message: `${label} is ${template.status || 'not approved'}: only APPROVED templates can be sent` });
  problems.push(...parameterMappingProblems(template, 'template_parameters', ref.template_parameters, label));
  problems.push(...parameterMappingProblems(template, 'header_parameters', ref.header_parameters, label));
  if (template.header_media_format && !ref.header_media_url) problems.push({ path: 'header_media_url', message: `${label} has a ${template.header_media_format} header: header_media_url is required` });
  if (!template.header_media_format && ref.header_media_url) problems.push({ path: 'header_media_url', message: `${label} has no media header: leave header_media_url out` });
  if (template.button_parameter_count > 0) problems.push({ path: 'template_name', message: `${label} has buttons that take parameters (a URL with a placeholder or a copy code), which campaigns do not send yet` });
  return { template, problems };
}

/**
 * Checks `ref` against the catalog: the template's category and the time of the check when it
 * passes, null when templates are not configured (WHATSAPP_BUSINESS_ACCOUNT_ID unset: the message
 * is kept unverified, see docs/campaigns.md).
 * @throws AppError 422 INVALID_VALUE naming each problem; 503 when the Graph API cannot be read.
 */
export async function checkTemplate(catalog: TemplateCatalog, ref: TemplateRef, now = new Date()): Promise<{ verified_at: Date; category: string } | null> {
  if (!catalog.configured) return null;
  const { template, problems } = templateProblems(ref, await catalog.list());
  if (!template || problems.length) throw new AppError('INVALID_VALUE', problems.map((p) => p.message).join('; '), problems);
  return { verified_at: now, category: template.category };
}
