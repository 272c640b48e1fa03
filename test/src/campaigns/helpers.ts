/** The campaigns tests' harness: the real app over Redis and the test MongoDB, organizations with read+write and read-only keys, and Graph API templates through nock. */
import nock from 'nock';
import { createApp } from '../../../src/app/http-app.js';
import { freshPhone } from '../../helpers/business-fixtures.js';
import { createTestDeps, testEnv, type TestDeps } from '../../helpers/deps.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
export const WABA_ID = '102290129340398';
export const GRAPH = testEnv.WHATSAPP_API_URL;
/** The Graph API version the test config uses (the schema's default). */
export const GRAPH_VERSION = 'v25.0';
export const TEMPLATES_PATH = `/${GRAPH_VERSION}/${WABA_ID}/message_templates`;

export type Json = Record<string, unknown>;
export type Call = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;

export interface Org {
  orgId: string;
  /** With the read+write key. */
  call: Call;
  /** With a read-only key. */
  read: Call;
  /** Makes a contact and returns its id. */
  contact(fields?: Json): Promise<string>;
}

export interface Harness {
  deps: TestDeps;
  app: ReturnType<typeof createApp>;
  org(name?: string): Promise<Org>;
}

export async function harness(overrides: Record<string, string | undefined> = {}): Promise<Harness> {
  const deps = await createTestDeps({ API_ADMIN_KEY: ADMIN_KEY, ...overrides });
  const app = createApp(deps);
  const admin = async (path: string, body: unknown) =>
    (await (await app.request(path, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Json;
  const caller =
    (key: string): Call =>
    async (path, init = {}) => {
      const { json, headers, ...rest } = init;
      const h = new Headers(headers);
      h.set('x-api-key', key);
      if (json !== undefined) h.set('content-type', 'application/json');
      return app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    };
  return {
    deps,
    app,
    async org(name = 'Acme') {
      const orgId = (await admin('/api/v1/admin/orgs', { name })).id as string;
      const rw = (await admin(`/api/v1/admin/orgs/${orgId}/api-keys`, { name: 'rw', scopes: ['read', 'write'] })).key as string;
      const ro = (await admin(`/api/v1/admin/orgs/${orgId}/api-keys`, { name: 'ro', scopes: ['read'] })).key as string;
      const call = caller(rw);
      return {
        orgId,
        call,
        read: caller(ro),
        async contact(fields = {}) {
          const res = await call('/api/v1/contacts', { method: 'POST', json: { phone: freshPhone(), name: 'Contacto', ...fields } });
          if (res.status !== 201) throw new Error(`contact: ${res.status} ${await res.text()}`);
          return ((await res.json()) as Json).id as string;
        },
      };
    },
  };
}

export const json = async (res: Response) => (await res.json()) as Json;

/** A Graph template with a body of `bodyParams` positional placeholders. */
export function template(name: string, language: string, options: { status?: string; bodyParams?: number; category?: string; header?: Json; buttons?: Json[] } = {}): Json {
  const body = `Hola${Array.from({ length: options.bodyParams ?? 0 }, (_v, i) => ` {{${i + 1}}}`).join(',')}.`;
  return {
    id: `${name}-${language}`,
    name,
    language,
    category: options.category ?? 'MARKETING',
    status: options.status ?? 'APPROVED',
    components: [...(options.header ? [{ type: 'HEADER', ...options.header }] : []), { type: 'BODY', text: body }, { type: 'FOOTER', text: 'Responde BAJA para salir' }, ...(options.buttons ? [{ type: 'BUTTONS', buttons: options.buttons }] : [])],
  };
}

/** The account's templates in the campaigns tests. */
export const TEMPLATES = [
  template('promo_hogar', 'es', { bodyParams: 2 }),
  template('promo_hogar', 'en_US', { bodyParams: 2 }),
  template('sin_parametros', 'es'),
  template('pendiente', 'es', { status: 'PENDING', bodyParams: 1 }),
  template('rechazada', 'es', { status: 'REJECTED' }),
  template('con_imagen', 'es', { bodyParams: 1, header: { format: 'IMAGE' } }),
  template('con_titulo', 'es', { bodyParams: 1, header: { format: 'TEXT', text: 'Oferta para {{1}}' } }),
  template('con_boton', 'es', { buttons: [{ type: 'URL', text: 'Ver', url: 'https://ejemplo.co/{{1}}' }] }),
];

/** Graph answers the templates (one page) to every request until nock is cleaned. */
export function serveTemplates(templates: Json[] = TEMPLATES): nock.Scope {
  return nock(GRAPH).persist().get(TEMPLATES_PATH).query(true).reply(200, { data: templates, paging: { cursors: { before: 'b', after: 'a' } } });
}
