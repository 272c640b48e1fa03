/**
 * A campaign step as the Graph API's template message for one recipient: its header and body
 * parameters rendered for the recipient (personalization.ts), named for a NAMED template, and a
 * media header of the template's format.
 */
import { templateMessage } from '../whatsapp/messages.js';
import type { TemplateParameter as GraphParameter } from '../whatsapp/outbound-types.js';
import type { CampaignMessageDoc, TemplateParameter } from './models.js';
import { renderParameters, type PersonalizationSubject } from './personalization.js';
import type { TemplateCatalog } from './templates.js';

/** The message, or the tokens the recipient has no value (and the step no fallback) for. */
export type BuiltStepMessage = { ok: true; message: ReturnType<typeof templateMessage> } | { ok: false; missing: string[] };

/** Rendered values as Graph's text parameters: a NAMED template's carry their placeholder's `parameter_name`, positional ones go in order. */
const textParameters = (params: readonly TemplateParameter[], values: string[]): GraphParameter[] =>
  values.map((text, i) => {
    const name = params[i]?.name;
    return name ? { type: 'text', parameter_name: name, text } : { type: 'text', text };
  });

/** Builds steps' messages; the account's templates (when configured) tell a media header's format. */
export function stepMessageBuilder(templates: Pick<TemplateCatalog, 'configured' | 'list'>): (step: CampaignMessageDoc, to: string, subject: PersonalizationSubject) => Promise<BuiltStepMessage> {
  /** The media kind of a step's header: from the account's templates when readable, else from the link. */
  async function headerFormat(step: CampaignMessageDoc): Promise<string> {
    if (templates.configured) {
      const list = await templates.list().catch(() => []);
      const found = list.find((t) => t.name === step.template_name && t.language === step.template_language);
      if (found?.header_media_format) return found.header_media_format;
    }
    const path = step.header_media_url?.toLowerCase().split('?')[0] ?? '';
    if (/\.(mp4|3gp)$/.test(path)) return 'VIDEO';
    if (/\.(pdf|docx?|xlsx?|pptx?|txt)$/.test(path)) return 'DOCUMENT';
    return 'IMAGE';
  }

  /** The template message of `step` for one recipient, or the tokens it lacks. */
  return async function buildMessage(step, to, subject) {
    const body = renderParameters(step.template_parameters ?? [], subject);
    const header = renderParameters(step.header_parameters ?? [], subject);
    const missing = [...(body.ok ? [] : body.missing), ...(header.ok ? [] : header.missing)];
    if (!body.ok || !header.ok) return { ok: false, missing };
    const components: { type: 'header' | 'body'; parameters: GraphParameter[] }[] = [];
    if (step.header_media_url) {
      const format = await headerFormat(step);
      const media = { link: step.header_media_url };
      components.push({ type: 'header', parameters: [format === 'VIDEO' ? { type: 'video', video: media } : format === 'DOCUMENT' ? { type: 'document', document: media } : { type: 'image', image: media }] });
    } else if (header.values.length) {
      components.push({ type: 'header', parameters: textParameters(step.header_parameters, header.values) });
    }
    if (body.values.length) components.push({ type: 'body', parameters: textParameters(step.template_parameters, body.values) });
    return { ok: true, message: templateMessage(to, { name: step.template_name, language: step.template_language, ...(components.length ? { components } : {}) }) };
  };
}
