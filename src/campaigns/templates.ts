/**
 * The business account's WhatsApp templates, read from the Graph API and kept for a few minutes
 * per process (every campaign message is checked against them), with the parameters each component
 * takes: the `{{1}}`… (positional) or `{{name}}` (named) placeholders of the header and body text,
 * and the buttons that need a value at send time (a URL with a placeholder, a copy-code button).
 */
import { AppError } from '../platform/http/errors.js';
import type { Logger } from '../platform/logging/logger.js';
import { GraphApiError } from '../whatsapp/graph-errors.js';
import type { GraphClient, GraphTemplate, GraphTemplateComponent } from '../whatsapp/graph-client.js';

export const TEMPLATE_CACHE_MS = 5 * 60_000;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export interface TemplateComponentInfo {
  type: string;
  format: string | null;
  text: string | null;
  /** Values this component needs at send time. */
  parameter_count: number;
  /** Named placeholders in order of first appearance (empty for positional ones). */
  parameter_names: string[];
}

export interface TemplateInfo {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  /** `NAMED` when the placeholders are names (`{{first_name}}`), else `POSITIONAL`. */
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentInfo[];
  body_parameter_count: number;
  header_parameter_count: number;
  /** IMAGE, VIDEO or DOCUMENT when the header is media (a link is needed to send it), else null. */
  header_media_format: string | null;
  button_parameter_count: number;
}

/** The distinct placeholders of a text in order: numbers for `{{1}}`, names for `{{name}}`. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

/** Graph's JSON as read: a field that is not a string is treated as absent. */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function componentInfo(c: GraphTemplateComponent): TemplateComponentInfo {
  const type = str(c.type).toUpperCase();
  if (type === 'BUTTONS') {
    const buttons = Array.isArray(c.buttons) ? c.buttons : [];
    const needing = buttons.filter((b) => {
      const kind = str(b?.type).toUpperCase();
      return (kind === 'URL' && placeholdersIn(str(b?.url)).length > 0) || kind === 'COPY_CODE';
    });
    return { type, format: null, text: null, parameter_count: needing.length, parameter_names: [] };
  }
  const text = typeof c.text === 'string' ? c.text : null;
  const names = text ? placeholdersIn(text) : [];
  const format = str(c.format).toUpperCase();
  const media = type === 'HEADER' && MEDIA_FORMATS.has(format);
  return {
    type,
    format: format || null,
    text,
    parameter_count: media ? 1 : names.length,
    parameter_names: names.filter((n) => !/^\d+$/.test(n)),
  };
}

/** A Graph template with the parameters of each component counted. */
export function describeTemplate(t: GraphTemplate): TemplateInfo {
  const components = t.components.map(componentInfo);
  const of = (type: string) => components.find((c) => c.type === type);
  const header = of('HEADER');
  const headerMedia = header?.format && MEDIA_FORMATS.has(header.format) ? header.format : null;
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    parameter_format: components.some((c) => c.parameter_names.length > 0) ? 'NAMED' : 'POSITIONAL',
    components,
    body_parameter_count: of('BODY')?.parameter_count ?? 0,
    header_parameter_count: headerMedia ? 0 : (header?.parameter_count ?? 0),
    header_media_format: headerMedia,
    button_parameter_count: of('BUTTONS')?.parameter_count ?? 0,
  };
}

export interface TemplateCatalog {
  /** Whether WHATSAPP_BUSINESS_ACCOUNT_ID is set (without it templates cannot be read or checked). */
  readonly configured: boolean;
  /**
   * Every template of the account, from the cache when it is fresh.
   * @throws AppError 503 NOT_CONFIGURED without an account id, 503 SERVICE_UNAVAILABLE when Graph fails.
   */
  list(options?: { refresh?: boolean }): Promise<TemplateInfo[]>;
}

/**
 * The template catalog of account `wabaId` (undefined: not configured), cached `ttlMs` per process;
 * concurrent reads share one Graph call, and a failure is not cached (the next read asks again).
 */
export function createTemplateCatalog(deps: { graph: Pick<GraphClient, 'listTemplates'>; wabaId: string | undefined; logger: Logger; ttlMs?: number; now?: () => number }): TemplateCatalog {
  const ttlMs = deps.ttlMs ?? TEMPLATE_CACHE_MS;
  const now = deps.now ?? Date.now;
  let cached: { at: number; templates: TemplateInfo[] } | undefined;
  let inFlight: Promise<TemplateInfo[]> | undefined;

  async function load(wabaId: string): Promise<TemplateInfo[]> {
    try {
      const templates = (await deps.graph.listTemplates(wabaId)).map(describeTemplate);
      cached = { at: now(), templates };
      return templates;
    } catch (err) {
      deps.logger.warn({ err }, 'could not read the WhatsApp templates from the Graph API');
      const details = err instanceof GraphApiError ? { graph_status: err.status, graph_code: err.code ?? null } : { graph_status: null, graph_code: null };
      throw new AppError('SERVICE_UNAVAILABLE', 'The WhatsApp Business API could not be reached to read the message templates; retry later', details);
    } finally {
      inFlight = undefined;
    }
  }

  return {
    configured: Boolean(deps.wabaId),
    async list(options = {}) {
      const wabaId = deps.wabaId;
      if (!wabaId) throw new AppError('NOT_CONFIGURED', 'WhatsApp templates are not configured: set WHATSAPP_BUSINESS_ACCOUNT_ID');
      if (!options.refresh && cached && now() - cached.at < ttlMs) return cached.templates;
      inFlight ??= load(wabaId);
      return inFlight;
    },
  };
}
