/** Whether a campaign message can be sent as written: its template exists, is APPROVED and takes the parameters given. */
import { AppError } from '../platform/http/errors.js';
import type { CampaignMessageDoc } from './models.js';
import type { TemplateCatalog, TemplateInfo } from './templates.js';

export type TemplateRef = Pick<CampaignMessageDoc, 'template_name' | 'template_language' | 'template_parameters' | 'header_parameters' | 'header_media_url'>;

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
  if (ref.template_parameters.length !== template.body_parameter_count) {
    problems.push({ path: 'template_parameters', message: `${label} takes ${template.body_parameter_count} body parameter(s); template_parameters has ${ref.template_parameters.length}` });
  }
  if (ref.header_parameters.length !== template.header_parameter_count) {
    problems.push({ path: 'header_parameters', message: `${label} takes ${template.header_parameter_count} header parameter(s); header_parameters has ${ref.header_parameters.length}` });
  }
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
