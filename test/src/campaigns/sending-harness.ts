/**
 * The campaign sender's test harness: the whole app (HTTP + workers) over real Redis and the test
 * MongoDB, with a fake Graph API on loopback that records every send with its time, answers the
 * account's templates, and refuses chosen recipients with a Meta error code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createApp } from '../../../src/app/http-app.js';
import { workerDefinitions } from '../../../src/app/deps.js';
import { createSender, type Sender } from '../../../src/campaigns/sender.js';
import { createCampaignStore } from '../../../src/campaigns/store.js';
import { createTemplateCatalog } from '../../../src/campaigns/templates.js';
import type { Outbound } from '../../../src/conversations/outbound.js';
import type { EventRecorder } from '../../../src/platform/events/outbox.js';
import { signBody } from '../../../src/whatsapp/signature.js';
import { startWorkers, type RunningWorkers } from '../../../queues/workers.js';
import { freshPhone } from '../../helpers/business-fixtures.js';
import { createTestDeps, testEnv, type TestDeps } from '../../helpers/deps.js';
import { GRAPH_VERSION, template, WABA_ID, type Json } from './helpers.js';

export interface GraphSend {
  to: string;
  type: string;
  template?: string;
  /** Body parameters' texts. */
  params: string[];
  /** Body parameters' `parameter_name`s (undefined for positional ones). */
  names: (string | undefined)[];
  /** Header text parameters as sent. */
  header: { text?: string; parameter_name?: string }[];
  text?: string;
  at: number;
  wamid?: string;
  error?: number;
}

export const SENDING_TEMPLATES = [
  template('promo', 'es', { bodyParams: 1 }),
  template('aviso', 'es', { bodyParams: 1, category: 'UTILITY' }),
  template('seguimiento', 'es', { bodyParams: 1 }),
  // NAMED: the header and the body name their placeholders.
  {
    id: 'cumple-es',
    name: 'cumple',
    language: 'es',
    category: 'MARKETING',
    status: 'APPROVED',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: '¡Feliz día, {{nombre}}!', example: { header_text_named_params: [{ param_name: 'nombre', example: 'Laura' }] } },
      { type: 'BODY', text: 'Te regalamos {{descuento}} en tu plan {{plan}}.', example: { body_text_named_params: [{ param_name: 'descuento', example: '20 %' }, { param_name: 'plan', example: 'Hogar' }] } },
    ],
  },
];

/** A fake Graph API: sends (recorded, answered after `delayMs`), templates, and per-recipient errors. */
export async function startSendingGraph(options: { delayMs?: number } = {}) {
  const sends: GraphSend[] = [];
  const refuse = new Map<string, { code: number; title: string }>();
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url?.includes('/message_templates')) return reply(200, { data: SENDING_TEMPLATES, paging: { cursors: { before: 'b', after: 'a' } } });
      const body = JSON.parse(raw || '{}') as Json & { to?: string; type?: string; status?: string; template?: { name: string; components?: { type: string; parameters: { text?: string; parameter_name?: string }[] }[] }; text?: { body: string } };
      const bodyParams = body.template?.components?.find((c) => c.type === 'body')?.parameters ?? [];
      if (body.status === 'read') return reply(200, { success: true });
      const to = String(body.to);
      const send: GraphSend = {
        to,
        type: String(body.type),
        params: bodyParams.map((p) => p.text ?? ''),
        names: bodyParams.map((p) => p.parameter_name),
        header: body.template?.components?.find((c) => c.type === 'header')?.parameters ?? [],
        at: performance.now(),
        ...(body.template ? { template: body.template.name } : {}),
        ...(body.text ? { text: body.text.body } : {}),
      };
      const refusal = refuse.get(to);
      setTimeout(() => {
        if (refusal) {
          send.error = refusal.code;
          sends.push(send);
          return reply(400, { error: { message: `(#${refusal.code}) ${refusal.title}`, type: 'OAuthException', code: refusal.code, error_data: { messaging_product: 'whatsapp', details: refusal.title }, fbtrace_id: 'x' } });
        }
        send.wamid = `wamid.cmp-${process.pid}-${++n}`;
        sends.push(send);
        reply(200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: send.wamid }] });
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sends,
    refuse,
    templateSends: () => sends.filter((s) => s.type === 'template' && s.error === undefined),
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SendingGraph = Awaited<ReturnType<typeof startSendingGraph>>;

export interface SendingApp {
  deps: TestDeps;
  graph: SendingGraph;
  app: ReturnType<typeof createApp>;
  workers: RunningWorkers | undefined;
  /** The default organization (it owns the test WhatsApp number) with a read+write key. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  contact(fields?: Json): Promise<{ id: string; phone: string }>;
  /** A campaign with the steps given, enrolled with `contactIds`, started. */
  campaign(input: { steps: Json[]; contactIds: string[]; settings?: Json; start?: boolean }): Promise<string>;
  /** A sender of its own over the same stores (to drive runs by hand), recording events through `events`. */
  sender(events?: EventRecorder, outbound?: Pick<Outbound, 'enqueue'>): Sender;
  postWebhook(body: object): Promise<Response>;
  stop(): Promise<void>;
}

export async function startSendingApp(env: Record<string, string> = {}, options: { workers?: boolean; campaignWorker?: boolean; graphDelayMs?: number } = {}): Promise<SendingApp> {
  const graph = await startSendingGraph({ delayMs: options.graphDelayMs ?? 0 });
  const deps = await createTestDeps({ WHATSAPP_API_URL: graph.url, WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID, CAMPAIGN_SENDER_TICK_MS: '100', ...env });
  const app = createApp(deps);
  const key = (await deps.apiKeys.store.issueKey('default', { name: 'campaigns', scopes: ['read', 'write'] })).key;
  // Without the campaign worker, a test drives the sender's runs itself.
  const workers = options.workers === false ? undefined : startWorkers(deps, workerDefinitions(deps).filter((d) => options.campaignWorker !== false || d.queue !== 'campaign-sender'));
  const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, headers, ...rest } = init;
    const h = new Headers(headers);
    h.set('x-api-key', key);
    if (json !== undefined) h.set('content-type', 'application/json');
    return app.request(path, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };
  const ok = async (res: Response, status: number, what: string) => {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  return {
    deps,
    graph,
    app,
    workers,
    call,
    async contact(fields = {}) {
      const body = await ok(await call('/api/v1/contacts', { method: 'POST', json: { phone: freshPhone(), name: 'Laura Gómez', opt_in_status: 'opted_in', ...fields } }), 201, 'contact');
      return { id: body.id as string, phone: body.phone as string };
    },
    async campaign({ steps, contactIds, settings, start = true }) {
      const c = await ok(await call('/api/v1/campaigns', { method: 'POST', json: { name: `Campaña ${Math.random()}`, settings: { send_rate: 50, ...settings } } }), 201, 'campaign');
      const id = c.id as string;
      for (const step of steps) await ok(await call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_language: 'es', delay_amount: 0, delay_unit: 'minutes', ...step } }), 201, 'step');
      if (contactIds.length) await ok(await call(`/api/v1/campaigns/${id}/enroll`, { method: 'POST', json: { contact_ids: contactIds } }), 201, 'enroll');
      if (start) await ok(await call(`/api/v1/campaigns/${id}/start`, { method: 'POST' }), 200, 'start');
      return id;
    },
    sender(events, outbound) {
      const campaigns = createCampaignStore(deps.mongo.connection, events);
      return createSender({
        connection: deps.mongo.connection,
        redis: deps.redis,
        keyPrefix: deps.keyPrefix,
        queue: deps.queues.get('campaign-sender-test'),
        outbound: outbound ?? deps.conversations.outbound,
        log: deps.conversations.log,
        campaigns,
        templates: createTemplateCatalog({ graph: deps.graph, wabaId: WABA_ID, logger: deps.logger }),
        metrics: deps.metrics,
        logger: deps.logger,
        maxMps: deps.config.WHATSAPP_MAX_MPS,
        tickMs: 100,
        orgNumbers: async (orgId) => (await deps.apiKeys.store.findOrg(orgId))?.phoneNumberIds ?? [],
        defaultPhoneNumberId: deps.config.WHATSAPP_PHONE_NUMBER_ID,
      });
    },
    async postWebhook(body) {
      const raw = JSON.stringify(body);
      return app.request('/webhook', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(testEnv.META_WEBHOOK_SECRET, raw) } });
    },
    async stop() {
      await workers?.close();
      await deps.cleanup();
      await graph.close();
    },
  };
}

/** Waits until `check` passes (it throws or returns false until then). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Meta's webhook envelope around one `messages`-field value of the test number. */
export function metaValue(value: Json): object {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '241856093317402', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '573186004400', phone_number_id: testEnv.WHATSAPP_PHONE_NUMBER_ID }, ...value } }] }],
  };
}

export { GRAPH_VERSION };
