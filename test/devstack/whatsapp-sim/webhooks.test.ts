/**
 * What the simulator posts to Puente's /webhook: bodies escaped and signed exactly as Meta signs
 * them (checked here with node:crypto alone), statuses sent → delivered → read with Meta's fields,
 * and Meta's re-delivery while the receiver refuses or is away.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookDeliveryError, metaJson, type SimStatusEvent, type WhatsAppSimulator } from '../../../devstack/whatsapp-sim/index.js';
import { fixtureJson, readFixture } from '../../helpers/fixtures.js';
import { APP_SECRET, DISPLAY_NUMBER, PHONE_NUMBER_ID, USER, WABA_ID, createSim, graphSend, startReceiver, textSend, waitFor, type WebhookReceiver } from './support.js';

let receiver: WebhookReceiver;
let sim: WhatsAppSimulator;

beforeEach(async () => {
  receiver = await startReceiver();
  sim = createSim(receiver);
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

const hmac = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(Buffer.from(body, 'utf8')).digest('hex')}`;

describe('signing', () => {
  it("escapes non-ASCII as \\uXXXX like Meta: the repo's signature vector comes out byte for byte", () => {
    expect(metaJson(fixtureJson('inbound-text.json'))).toBe(readFixture('signature-vector.body'));
  });

  it('signs every posted body with X-Hub-Signature-256 = sha256=HMAC(app secret, raw bytes), over ASCII-only bytes', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'Buenas tardes 🙏 ¿Tienen fibra óptica?' });
    await graphSend(sim, textSend(USER, 'Sí ✅'));
    await waitFor(() => receiver.statuses().length >= 2, 'sent and delivered');
    expect(receiver.deliveries.length).toBeGreaterThanOrEqual(3);
    for (const delivery of receiver.deliveries) {
      expect(delivery.signature).toBe(hmac(delivery.raw));
      expect(delivery.raw).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(receiver.deliveries[0]?.raw).toContain('Buenas tardes \\ud83d\\ude4f \\u00bfTienen fibra \\u00f3ptica?');
  });
});

describe('status webhooks', () => {
  it('posts sent, then delivered for an accepted message, and read only when the user looks at the chat', async () => {
    const seen: SimStatusEvent[] = [];
    sim.events.on('status', (event: SimStatusEvent) => seen.push(event));
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const wamid = (await graphSend(sim, textSend(USER, 'Hola 👋'))).json.messages?.[0]?.id;

    await waitFor(() => receiver.statuses().length === 2, 'sent and delivered');
    await new Promise((r) => setTimeout(r, 60));
    expect(receiver.statuses().map((s) => s['status'])).toEqual(['sent', 'delivered']);
    expect(sim.conversation(USER).at(-1)?.status).toBe('delivered');

    await sim.markSeen(USER);
    expect(receiver.statuses().map((s) => [s['id'], s['status']])).toEqual([[wamid, 'sent'], [wamid, 'delivered'], [wamid, 'read']]);
    expect(sim.conversation(USER).at(-1)?.status).toBe('read');
    expect(seen.map((e) => e.status)).toEqual(['sent', 'delivered', 'read']);
    expect(seen.every((e) => e.wamid === wamid && e.waId === USER)).toBe(true);

    await sim.markSeen(USER);
    expect(receiver.statuses()).toHaveLength(3);
  });

  it("shapes statuses as Meta: envelope with WABA id and metadata; timestamp in unix seconds; conversation and PMP pricing on sent/delivered only; biz_opaque_callback_data echoed", async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const wamid = (await graphSend(sim, textSend(USER, 'x', { biz_opaque_callback_data: 'turn:wamid.abc' }))).json.messages?.[0]?.id;
    await waitFor(() => receiver.statuses().length === 2, 'sent and delivered');
    await sim.markSeen(USER);

    const delivery = receiver.deliveries.at(-1)!.json;
    expect(delivery.object).toBe('whatsapp_business_account');
    expect(delivery.entry[0]?.id).toBe(WABA_ID);
    expect(delivery.entry[0]?.changes[0]?.field).toBe('messages');
    expect(delivery.entry[0]?.changes[0]?.value).toMatchObject({ messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID } });
    expect(delivery.entry[0]?.changes[0]?.value['contacts']).toBeUndefined();

    const [sent, delivered, read] = receiver.statuses();
    for (const status of [sent, delivered, read]) {
      expect(status).toMatchObject({ id: wamid, recipient_id: USER, biz_opaque_callback_data: 'turn:wamid.abc' });
      expect(status?.['timestamp']).toMatch(/^\d{10}$/);
    }
    expect(sent?.['conversation']).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, expiration_timestamp: expect.stringMatching(/^\d{10}$/) as unknown, origin: { type: 'service' } });
    expect(delivered?.['conversation']).toEqual({ id: (sent?.['conversation'] as { id: string }).id, origin: { type: 'service' } });
    expect(sent?.['pricing']).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });
    expect(read?.['pricing']).toBeUndefined();
    expect(read?.['conversation']).toBeUndefined();
  });

  it('bills a template as utility in its statuses', async () => {
    await graphSend(sim, { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'aviso_mantenimiento', language: { code: 'es' } } });
    const [sent] = await waitFor(() => receiver.statuses().length >= 1 && receiver.statuses(), 'sent');
    expect(sent?.['pricing']).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' });
  });

  it('marks read only what reached the phone: a message still at "sent" stays unread', async () => {
    await sim.close();
    sim = createSim(receiver, { statusDelaysMs: { sent: 5, delivered: 60_000 } });
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    await graphSend(sim, textSend(USER));
    await waitFor(() => receiver.statuses().length === 1, 'sent');
    await sim.markSeen(USER);
    expect(receiver.statuses().map((s) => s['status'])).toEqual(['sent']);
  });
});

describe('delivery and re-delivery', () => {
  it('re-delivers a status webhook the receiver answered 503, with the same signed bytes', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    receiver.answers.push(503, 500);
    await graphSend(sim, textSend(USER));
    await waitFor(() => receiver.statuses().filter((s) => s['status'] === 'sent').length === 3, 'three tries of sent');
    const tries = receiver.deliveries.slice(1, 4);
    expect(new Set(tries.map((d) => d.raw)).size).toBe(1);
    expect(new Set(tries.map((d) => d.signature)).size).toBe(1);
  });

  it('userSends retries a refused message and rejects with the status and body once every try failed', async () => {
    receiver.answers.push(401, 401, 401);
    const error = await sim.userSends(USER, { kind: 'text', text: 'hola' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect((error as WebhookDeliveryError).status).toBe(401);
    expect((error as WebhookDeliveryError).body).toContain('refused');
    expect(receiver.deliveries).toHaveLength(3);
  });

  it('userSends succeeds when a retry is accepted after a 503', async () => {
    receiver.answers.push(503);
    await expect(sim.userSends(USER, { kind: 'text', text: 'hola' })).resolves.toMatchObject({ direction: 'in', status: 'received' });
    expect(receiver.deliveries).toHaveLength(2);
  });

  it('survives an unreachable Puente: userSends rejects without a status, status webhooks are reported on "webhook-failed"', async () => {
    await sim.userSends(USER, { kind: 'text', text: 'hola' });
    const failures: unknown[] = [];
    sim.events.on('webhook-failed', (f: unknown) => failures.push(f));
    await receiver.close();
    const error = await sim.userSends(USER, { kind: 'text', text: '¿hay alguien?' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect((error as WebhookDeliveryError).status).toBeUndefined();
    await graphSend(sim, textSend(USER));
    await waitFor(() => failures.length >= 2, 'sent and delivered given up');
    expect(failures[0]).toMatchObject({ kind: 'status', status: 'sent' });
  });
});
