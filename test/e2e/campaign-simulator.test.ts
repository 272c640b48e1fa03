/**
 * Campaigns against the WhatsApp simulator, as `npm run dev` runs them (WHATSAPP_BUSINESS_ACCOUNT_ID
 * = the simulator's account): Puente reads the simulator's templates, verifies steps against them
 * (a paused or rejected template and a NAMED template without its names are 422s), the sender's
 * sends pass the simulator's Meta checks (positional and NAMED parameters, an image header), the
 * phone shows the rendered templates, and the simulator's status webhooks reach the funnel.
 */
import { randomUUID } from 'node:crypto';
import { freePort } from '../helpers/ports.js';
import { dropDatabaseAt } from '../helpers/mongo.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWhatsAppSimulator, type WhatsAppSimulator } from '../../devstack/whatsapp-sim/index.js';
import { startPuente, type Running } from '../../src/app/start.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { deleteKeys, testConfig, testEnv } from '../helpers/deps.js';
import { waitFor } from '../helpers/redis.js';


type Json = Record<string, unknown>;

describe('campaigns against the WhatsApp simulator (the dev stack)', () => {
  const keyPrefix = `test-${randomUUID()}`;
  let whatsapp: WhatsAppSimulator;
  let running: Running;
  let mongoUri: string | undefined;
  let key = '';
  let base = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    whatsapp = createWhatsAppSimulator({ webhookUrl: `${base}/webhook`, appSecret: testEnv.META_WEBHOOK_SECRET, accessToken: testEnv.WHATSAPP_ACCESS_TOKEN, phoneNumberId: testEnv.WHATSAPP_PHONE_NUMBER_ID, statusDelaysMs: { sent: 20, delivered: 60 } });
    const config = testConfig({ PORT: String(port), WHATSAPP_API_URL: await whatsapp.listen(), WHATSAPP_BUSINESS_ACCOUNT_ID: whatsapp.wabaId, CAMPAIGN_SENDER_TICK_MS: '200' });
    mongoUri = config.MONGODB_URI;
    running = await startPuente(config, { keyPrefix, logger: createLogger({ level: 'silent' }), hostname: '127.0.0.1' });
    key = (await running.deps.apiKeys.store.issueKey('default', { name: 'e2e', scopes: ['read', 'write'] })).key;
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    await whatsapp?.close();
    await dropDatabaseAt(mongoUri).catch(() => undefined);
    await deleteKeys(keyPrefix);
  });

  const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(`${base}${path}`, { method: init.method ?? 'GET', headers: { 'x-api-key': key, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };

  it('lists the simulator’s templates, checks steps against them, sends them past its Meta checks and shows them rendered', async () => {
    const templates = await call('/api/v1/templates?limit=100');
    expect(templates.status).toBe(200);
    const byName = Object.fromEntries((templates.body.data as Json[]).map((t) => [t.name, t]));
    expect(byName.oferta_cumpleanos).toMatchObject({ parameter_format: 'NAMED', header_parameter_count: 1, body_parameter_count: 3 });
    expect(byName.lanzamiento_fibra).toMatchObject({ header_media_format: 'IMAGE', body_parameter_count: 2 });
    expect(byName.promo_black_friday).toMatchObject({ status: 'PAUSED' });

    const campaign = await call('/api/v1/campaigns', { method: 'POST', json: { name: 'Cumpleaños de junio', settings: { send_rate: 20 } } });
    const id = String(campaign.body.id);
    const step = (json: Json) => call(`/api/v1/campaigns/${id}/messages`, { method: 'POST', json: { template_language: 'es_CO', delay_amount: 0, delay_unit: 'minutes', ...json } });

    // The simulator's catalog makes the "must be APPROVED" rule and the NAMED rule visible.
    const paused = await step({ template_name: 'promo_black_friday', template_parameters: ['{{first_name}}'] });
    expect([paused.status, (paused.body.error as Json).message]).toEqual([422, expect.stringContaining('is PAUSED: only APPROVED templates can be sent')]);
    expect((await step({ template_name: 'gana_premio', template_parameters: ['x'] })).status).toBe(422);
    const unnamed = await step({ template_name: 'oferta_cumpleanos', header_parameters: ['{{first_name}}'], template_parameters: ['20 %', 'Hogar 300 Mbps', '30 de junio'] });
    expect([unnamed.status, (unnamed.body.error as Json).message]).toEqual([422, expect.stringContaining('{{descuento}}, {{plan}}, {{fecha_limite}}')]);

    const named = await step({
      template_name: 'oferta_cumpleanos',
      header_parameters: [{ name: 'nombre', value: '{{first_name}}', fallback: 'cliente' }],
      template_parameters: [
        { name: 'descuento', value: '20 %' },
        { name: 'plan', value: '{{custom.plan}}', fallback: 'Hogar' },
        { name: 'fecha_limite', value: '30 de junio' },
      ],
    });
    expect([named.status, named.body.template_verified, named.body.template_category]).toEqual([201, true, 'MARKETING']);
    const image = await step({ template_name: 'lanzamiento_fibra', header_media_url: 'https://cdn.ejemplo.co/fibra.jpg', template_parameters: ['{{first_name}}', '900 Mbps'] });
    expect(image.status).toBe(201);

    const phone = `57310${String(Date.now()).slice(-7)}`;
    const contact = await call('/api/v1/contacts', { method: 'POST', json: { phone, name: 'Laura Gómez', first_name: 'Laura', opt_in_status: 'opted_in', custom_fields: { plan: 'Hogar 300 Mbps' } } });
    expect(contact.status).toBe(201);
    expect((await call(`/api/v1/campaigns/${id}/enroll`, { method: 'POST', json: { contact_ids: [contact.body.id] } })).status).toBe(201);
    expect((await call(`/api/v1/campaigns/${id}/start`, { method: 'POST' })).status).toBe(200);

    const waId = String(contact.body.phone);
    await waitFor(async () => whatsapp.conversation(waId).filter((m) => m.type === 'template').length === 2, 20_000, 'both steps on the phone');
    const [first, second] = whatsapp.conversation(waId).filter((m) => m.type === 'template');
    expect(first?.rendered).toMatchObject({
      header: '¡Feliz cumpleaños, Laura! 🎂',
      body: 'Para celebrarlo te regalamos 20 % de descuento en la próxima factura de tu plan Hogar 300 Mbps. Solo tienes que responder a este mensaje antes del 30 de junio. ¡Que lo disfrutes mucho!',
    });
    expect(second?.rendered).toMatchObject({ headerFormat: 'IMAGE', headerLink: 'https://cdn.ejemplo.co/fibra.jpg', body: expect.stringMatching(/^Laura, ¡llegó la fibra óptica a tu barrio!/) });

    // The simulator's sent/delivered webhooks reach the funnel; the campaign was never paused by a Meta error.
    await waitFor(async () => (await call(`/api/v1/campaigns/${id}/performance`)).body.delivered === 1, 20_000, 'delivered');
    const after = await call(`/api/v1/campaigns/${id}`);
    expect((after.body.status_history as Json[]).some((h) => h.to === 'paused')).toBe(false);
  }, 60_000);
});
