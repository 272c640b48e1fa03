/**
 * The simulated WhatsApp Business Account's message templates: the catalog `GET
 * /{version}/{waba-id}/message_templates` lists (Meta's shape: `data` and `paging.cursors`), and
 * the check of a template send against it, with Meta's codes — 132001 a template (or language) the
 * account has not approved, 132015/132016 a paused or disabled one, 132012 a header of the wrong
 * format, 132000 parameters that do not match the template's (count, or a NAMED template's names).
 * An accepted send is also rendered (header, body, footer with the values filled in) so the
 * playground can show what the phone would.
 */
import { at, isObject, type Json } from './checks.js';
import { GraphError } from './graph-errors.js';

export interface SimTemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';
  text: string;
  url?: string;
  phone_number?: string;
}

export interface SimTemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  /** Headers: TEXT, IMAGE, VIDEO or DOCUMENT. */
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  text?: string;
  buttons?: SimTemplateButton[];
  /** Meta's examples: `body_text` / `header_text` (positional), `body_text_named_params` / `header_text_named_params` (NAMED), `header_handle` (media). */
  example?: Json;
}

/** A template as Meta's Graph API lists it. */
export interface SimTemplate {
  id: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: SimTemplateComponent[];
}

/** What a template message shows on the phone, with its parameters filled in. */
export interface RenderedTemplate {
  name: string;
  language: string;
  header: string | null;
  /** IMAGE, VIDEO or DOCUMENT for a media header (`headerLink` is its link). */
  headerFormat: string | null;
  headerLink: string | null;
  body: string;
  footer: string | null;
  /** Quick replies with the payload the send gave them (a tap sends it back); other buttons without one. */
  buttons: { text: string; payload: string | null }[];
}

const OPT_OUT_FOOTER = 'Si no quieres recibir más promociones, responde BAJA.';

/** The catalog `npm run dev` serves: a small Colombian ISP's templates, in Spanish. */
export const DEFAULT_TEMPLATES: SimTemplate[] = [
  {
    id: '1184520392817364',
    name: 'promo_velocidad',
    language: 'es_CO',
    category: 'MARKETING',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: '¡Hola, {{1}}! 🚀 Este mes te subimos la velocidad a {{2}} por el mismo precio durante 3 meses. ¿Te la activamos? Respóndenos SÍ y listo.',
        example: { body_text: [['Laura', '500 Mbps']] },
      },
      { type: 'FOOTER', text: OPT_OUT_FOOTER },
    ],
  },
  {
    id: '1184520392817365',
    name: 'oferta_cumpleanos',
    language: 'es_CO',
    category: 'MARKETING',
    status: 'APPROVED',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: '¡Feliz cumpleaños, {{nombre}}! 🎂', example: { header_text_named_params: [{ param_name: 'nombre', example: 'Laura' }] } },
      {
        type: 'BODY',
        text: 'Para celebrarlo te regalamos {{descuento}} de descuento en la próxima factura de tu plan {{plan}}. Solo tienes que responder a este mensaje antes del {{fecha_limite}}. ¡Que lo disfrutes mucho!',
        example: {
          body_text_named_params: [
            { param_name: 'descuento', example: '20 %' },
            { param_name: 'plan', example: 'Hogar 300 Mbps' },
            { param_name: 'fecha_limite', example: '30 de junio' },
          ],
        },
      },
      { type: 'FOOTER', text: OPT_OUT_FOOTER },
    ],
  },
  {
    id: '1184520392817366',
    name: 'lanzamiento_fibra',
    language: 'es_CO',
    category: 'MARKETING',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARYtbGFuemFtaWVudG8tZmlicmE'] } },
      {
        type: 'BODY',
        text: '{{1}}, ¡llegó la fibra óptica a tu barrio! 🎉 Navega hasta {{2}} con instalación gratis este mes. ¿Quieres que un asesor te llame para contarte más?',
        example: { body_text: [['Laura', '900 Mbps']] },
      },
      { type: 'FOOTER', text: OPT_OUT_FOOTER },
    ],
  },
  {
    id: '1184520392817367',
    name: 'recordatorio_pago',
    language: 'es',
    category: 'UTILITY',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Tu factura de {{1}}', example: { header_text: ['septiembre'] } },
      {
        type: 'BODY',
        text: 'Hola, {{1}}. Te recordamos que tu factura por {{2}} vence el {{3}}. Puedes pagarla en línea o en cualquier punto autorizado. ¡Gracias por estar con nosotros!',
        example: { body_text: [['Valentina', '$89.900', '25 de septiembre']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Ver mi factura' },
          { type: 'QUICK_REPLY', text: 'Hablar con un asesor' },
        ],
      },
    ],
  },
  {
    id: '1184520392817368',
    name: 'aviso_mantenimiento',
    language: 'es',
    category: 'UTILITY',
    status: 'APPROVED',
    parameter_format: 'POSITIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Hola 👋 Esta noche, entre las 12:00 a. m. y las 4:00 a. m., haremos mantenimiento en la red de tu sector y tu servicio podría interrumpirse unos minutos. ¡Gracias por tu paciencia!',
      },
    ],
  },
  {
    id: '1184520392817369',
    name: 'promo_black_friday',
    language: 'es_CO',
    category: 'MARKETING',
    status: 'PAUSED',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'BODY', text: '¡{{1}}, llegó el Black Friday! 🖤 Hasta 50 % de descuento en los planes Hogar, solo por hoy.', example: { body_text: [['Laura']] } },
      { type: 'FOOTER', text: OPT_OUT_FOOTER },
    ],
  },
  {
    id: '1184520392817370',
    name: 'gana_premio',
    language: 'es_CO',
    category: 'MARKETING',
    status: 'REJECTED',
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: '¡Felicidades, {{1}}! Ganaste un premio sorpresa. Reclámalo ya antes de que se acabe.', example: { body_text: [['Laura']] } }],
  },
];

// ---- The listing ------------------------------------------------------------------------------

/** Meta's page size when `limit` is not given. */
export const DEFAULT_PAGE_SIZE = 25;

const cursorOf = (index: number) => Buffer.from(`sim-template:${index}`).toString('base64url');
function indexOf(cursor: string): number | undefined {
  const match = /^sim-template:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

export interface TemplatePage {
  data: SimTemplate[];
  paging?: { cursors: { before: string; after: string }; next?: string };
}

/**
 * One page of `templates`, as Meta pages edges: `paging.cursors` name the page's first and last
 * template, and `paging.next` is present only when more follow (its URL is `nextUrl(after)`).
 * @throws GraphError 100 for a `limit` that is not a positive whole number or an unknown cursor.
 */
export function templatePage(templates: readonly SimTemplate[], query: { limit?: string | undefined; after?: string | undefined }, nextUrl: (after: string, limit: number) => string): TemplatePage {
  const limit = query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1) throw invalidParameterValue(`Param limit must be a positive integer, got "${query.limit}".`);
  let start = 0;
  if (query.after !== undefined) {
    const index = indexOf(query.after);
    if (index === undefined) throw invalidParameterValue(`Param after is not a valid cursor: "${query.after}".`);
    start = index + 1;
  }
  const data = templates.slice(start, start + limit);
  if (data.length === 0) return { data: [] };
  const last = start + data.length - 1;
  const after = cursorOf(last);
  return { data, paging: { cursors: { before: cursorOf(start), after }, ...(last + 1 < templates.length ? { next: nextUrl(after, limit) } : {}) } };
}

function invalidParameterValue(details: string): GraphError {
  return new GraphError({ status: 400, code: 100, message: `(#100) ${details}`, details });
}

// ---- The send check ---------------------------------------------------------------------------

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT'];

/** The distinct placeholders of a text, in order of first appearance. */
export function placeholders(text: string | undefined): string[] {
  return [...new Set([...(text ?? '').matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

function templateError(code: number, message: string, details: string): GraphError {
  return new GraphError({ status: 400, code, message: `(#${code}) ${message}`, details });
}

/** The value a parameter shows: its text, or a currency's or date's fallback. */
function shownValue(p: Json): string {
  if (typeof p['text'] === 'string') return p['text'];
  for (const key of ['currency', 'date_time']) {
    const inner = p[key];
    if (isObject(inner) && typeof inner['fallback_value'] === 'string') return inner['fallback_value'];
  }
  return '';
}

/**
 * The values of one text component (header or body) checked against its placeholders: a
 * positional template takes exactly that many, unnamed and in order; a NAMED one a value per name,
 * each with `parameter_name`. Returns placeholder → value.
 */
function textValues(template: SimTemplate, where: 'header' | 'body', expected: string[], parameters: Json[]): Map<string, string> {
  const values = new Map<string, string>();
  const label = `${where}`;
  if (template.parameter_format === 'NAMED' && expected.length > 0) {
    const unnamed = parameters.filter((p) => typeof p['parameter_name'] !== 'string');
    if (unnamed.length) throw templateError(132000, 'Number of parameters does not match the expected number of params', `${label}: template ${template.name} uses named parameters: every parameter needs a parameter_name (${expected.map((n) => `{{${n}}}`).join(', ')})`);
    for (const p of parameters) values.set(String(p['parameter_name']), shownValue(p));
    const unknown = [...values.keys()].filter((n) => !expected.includes(n));
    const missing = expected.filter((n) => !values.has(n));
    if (unknown.length || missing.length || values.size !== parameters.length) {
      const parts = [missing.length ? `missing parameter_name ${missing.join(', ')}` : '', unknown.length ? `unknown parameter_name ${unknown.join(', ')}` : '', values.size !== parameters.length ? 'a parameter_name is repeated' : ''].filter(Boolean);
      throw templateError(132000, 'Number of parameters does not match the expected number of params', `${label}: ${parts.join('; ')} (template ${template.name} takes ${expected.join(', ')})`);
    }
    return values;
  }
  if (parameters.some((p) => p['parameter_name'] !== undefined)) {
    throw templateError(132000, 'Number of parameters does not match the expected number of params', `${label}: template ${template.name} uses positional parameters ({{1}}, {{2}}…): parameter_name is not expected`);
  }
  if (parameters.length !== expected.length) {
    throw templateError(132000, 'Number of parameters does not match the expected number of params', `${label}: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected.length})`);
  }
  parameters.forEach((p, i) => values.set(String(i + 1), shownValue(p)));
  return values;
}

const fill = (text: string | undefined, values: Map<string, string>) => (text ?? '').replace(PLACEHOLDER, (m, key: string) => values.get(key) ?? m);

/**
 * Checks a template send (`template` of the request, already valid in shape) against the account's
 * templates and renders it.
 * @throws GraphError 132001 unknown/unapproved, 132015 paused, 132016 disabled, 132012 header format, 132000 parameters.
 */
export function checkTemplateSend(templates: readonly SimTemplate[], sent: Json): RenderedTemplate {
  const name = String(sent['name']);
  const code = String((sent['language'] as Json)['code']);
  const template = templates.find((t) => t.name === name && t.language === code);
  const notFound = `template name (${name}) does not exist in ${code}`;
  if (!template) throw templateError(132001, 'Template name does not exist in the translation', notFound);
  if (template.status === 'PAUSED') throw templateError(132015, 'Template is Paused', `template ${name} (${code}) is paused because of its quality rating, so it cannot be sent`);
  if (template.status === 'DISABLED') throw templateError(132016, 'Template is Disabled', `template ${name} (${code}) is disabled, so it cannot be sent`);
  if (template.status !== 'APPROVED') throw templateError(132001, 'Template name does not exist in the translation', `${notFound} (its status is ${template.status}: only APPROVED templates can be sent)`);

  const sentComponents = Array.isArray(sent['components']) ? (sent['components'] as Json[]) : [];
  const parametersOf = (type: string): Json[] => {
    const c = sentComponents.find((x) => String(x['type']).toLowerCase() === type);
    return c && Array.isArray(c['parameters']) ? (c['parameters'] as Json[]) : [];
  };
  const part = (type: SimTemplateComponent['type']) => template.components.find((c) => c.type === type);

  const header = part('HEADER');
  let headerText: string | null = null;
  let headerLink: string | null = null;
  const headerParams = parametersOf('header');
  if (header?.format && MEDIA_FORMATS.includes(header.format)) {
    const kind = header.format.toLowerCase();
    const media = headerParams[0];
    const got = media ? String(media['type']).toUpperCase() : 'NONE';
    if (headerParams.length !== 1 || !media || media['type'] !== kind) {
      throw templateError(132012, 'Parameter format does not match format in the created template', `header: Format mismatch, expected ${header.format}, received ${got}`);
    }
    const object = media[kind];
    headerLink = isObject(object) && typeof object['link'] === 'string' ? object['link'] : null;
  } else {
    headerText = header ? fill(header.text, textValues(template, 'header', placeholders(header.text), headerParams)) : null;
    if (!header && headerParams.length) throw templateError(132000, 'Number of parameters does not match the expected number of params', `header: number of localizable_params (${headerParams.length}) does not match the expected number of params (0)`);
  }
  const body = part('BODY');
  const bodyText = fill(body?.text, textValues(template, 'body', placeholders(body?.text), parametersOf('body')));

  const payloads = new Map<number, string>();
  for (const [i, c] of sentComponents.entries()) {
    if (String(c['type']).toLowerCase() !== 'button' || c['sub_type'] !== 'quick_reply') continue;
    const payload = Array.isArray(c['parameters']) ? (c['parameters'] as Json[]).find((p) => p['type'] === 'payload') : undefined;
    const index = Number(c['index']);
    if (!Number.isInteger(index)) throw templateError(132000, 'Number of parameters does not match the expected number of params', `${at(at('template', 'components'), i)}: a button needs its index`);
    if (payload && typeof payload['payload'] === 'string') payloads.set(index, payload['payload']);
  }
  return {
    name,
    language: code,
    header: headerText,
    headerFormat: header?.format && MEDIA_FORMATS.includes(header.format) ? header.format : null,
    headerLink,
    body: bodyText,
    footer: part('FOOTER')?.text ?? null,
    buttons: (part('BUTTONS')?.buttons ?? []).map((b, i) => ({ text: b.text, payload: b.type === 'QUICK_REPLY' ? (payloads.get(i) ?? null) : null })),
  };
}
