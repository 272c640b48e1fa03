import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { freePort } from '../helpers/ports.js';
import { dropDatabaseAt } from '../helpers/mongo.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmSimulator, type CrmSimulator } from '../../devstack/crm-sim/index.js';
import { createPlayground } from '../../devstack/playground/index.js';
import { createWhatsAppSimulator, type WhatsAppSimulator } from '../../devstack/whatsapp-sim/index.js';
import { startPuente, type Running } from '../../src/app/start.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { deleteKeys, testConfig, testEnv } from '../helpers/deps.js';

const CHROMIUM = '/usr/bin/chromium';
/** Debian's Chromium, as root, offline: the flags that keep it from reaching for the network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STEP_MS = 15_000;
/** Where the walk leaves its screenshots (outside the repository). */
const SHOTS = join(tmpdir(), 'puente-playground-shots');


// CI installs Chromium (.ci/run); on a laptop without it the walk is skipped, and says so.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: the playground's browser test cannot run`);

describe.skipIf(!haveChromium)('the playground in a real browser: a user, the bot, an agent, and back to the bot', () => {
  const keyPrefix = `test-${randomUUID()}`;
  let whatsapp: WhatsAppSimulator;
  let crm: CrmSimulator;
  let running: Running;
  let mongoUri: string | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    const puente = `http://127.0.0.1:${port}`;
    whatsapp = createWhatsAppSimulator({ webhookUrl: `${puente}/webhook`, appSecret: testEnv.META_WEBHOOK_SECRET, accessToken: testEnv.WHATSAPP_ACCESS_TOKEN, phoneNumberId: testEnv.WHATSAPP_PHONE_NUMBER_ID });
    crm = createCrmSimulator({ puenteUrl: puente, crmApiToken: testEnv.CRM_API_TOKEN, botApiToken: testEnv.BOT_API_TOKEN, botSignatureSecret: testEnv.BOT_SIGNATURE_SECRET });
    const config = testConfig({ PORT: String(port), WHATSAPP_API_URL: await whatsapp.listen(), CRM_BASE_URL: await crm.listen() });
    mongoUri = config.MONGODB_URI;
    const playground = createPlayground({ whatsapp, crm, links: { docs: '/api/docs', metrics: '/metrics', bullBoard: '/admin/queues' } });
    running = await startPuente(config, { keyPrefix, logger: createLogger({ level: 'silent' }), hostname: '127.0.0.1', devMounts: [{ path: '/playground', app: playground }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${puente}/playground`);
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await Promise.allSettled([whatsapp?.close(), crm?.close()]);
    await dropDatabaseAt(mongoUri).catch(() => undefined);
    await deleteKeys(keyPrefix);
  });

  const phone = () => page.getByTestId('phone-message');
  /** The texts on the phone, oldest first, with who wrote them (out = the user). */
  const phoneTexts = async () => (await phone().evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-direction') ?? ''}: ${n.textContent ?? ''}`))) as string[];
  /** Waits until the phone shows a message from `who` (out = the user) containing `text`. */
  const waitOnPhone = async (who: 'in' | 'out', text: string) =>
    page.locator(`[data-testid="phone-message"][data-direction="${who}"]`, { hasText: text }).last().waitFor({ timeout: STEP_MS });
  const userWrites = async (text: string) => {
    await page.getByTestId('phone-input').fill(text);
    await page.getByTestId('phone-send').click();
    await waitOnPhone('out', text);
  };

  it('walks the whole story on the page, in order', async () => {
    await page.getByTestId('new-user').click();
    // The page draws the new user in its next animation frame, so the picker read right after the
    // click can still show the user the page made up on load. It is read once the new user's first
    // message is on the phone (drawn in the same frame), and the simulator must agree on who wrote.
    await userWrites('hola');
    const waId = await page.getByTestId('user-select').inputValue();
    expect(waId).toMatch(/^57300\d{7}$/);
    expect(whatsapp.users().map((u) => u.waId)).toEqual([waId]);

    // The bot greets with the menu; the user taps "talk to a person" and authenticates.
    await waitOnPhone('in', '¿Qué necesitas hoy?');
    await page.getByTestId('list-open').last().click();
    await page.getByTestId('list-row').filter({ hasText: 'Hablar con un asesor' }).click();
    await waitOnPhone('in', 'número de documento');
    await userWrites('1020304050');
    await waitOnPhone('in', 'Ya validé tu identidad');
    await waitOnPhone('in', 'Conectando con un asesor');
    await page.screenshot({ path: join(SHOTS, '1-handover-requested.png') });

    // The agent pane (the simulated CRM) shows the pending ticket; the agent takes it.
    const ticket = page.locator(`[data-testid="ticket"][data-status="pending"]`).first();
    await ticket.waitFor({ timeout: STEP_MS });
    await ticket.click();
    await page.getByTestId('take-ticket').click();
    await page.locator('[data-testid="ticket"][data-status="active"]').first().waitFor({ timeout: STEP_MS });
    await waitOnPhone('in', 'se unió a la conversación');

    // Two messages each way, each seen on the other side in the order written.
    for (const text of ['Hola Laura, soy Sofía. ¿En qué te ayudo?', 'Ya estoy revisando tu cuenta.']) {
      await page.getByTestId('agent-input').fill(text);
      await page.getByTestId('agent-send').click();
      await waitOnPhone('in', text);
    }
    await userWrites('Mi internet está muy lento');
    await userWrites('Desde ayer en la noche');
    for (const text of ['Mi internet está muy lento', 'Desde ayer en la noche']) {
      await page.locator('[data-testid="agent-message"][data-direction="user"]', { hasText: text }).waitFor({ timeout: STEP_MS });
    }
    const relayed = (await page.locator('[data-testid="agent-message"][data-direction="user"]').allTextContents()).join('\n');
    expect(relayed.indexOf('Mi internet está muy lento')).toBeLessThan(relayed.indexOf('Desde ayer en la noche'));
    await page.screenshot({ path: join(SHOTS, '2-agent-chat.png') });

    // The agent resolves: the user is told, and the bot is back with its menu.
    await page.getByTestId('resolve-ticket').click();
    await waitOnPhone('in', 'Tu consulta quedó resuelta');
    await page.locator('[data-testid="ticket"][data-status="closed"]').first().waitFor({ timeout: STEP_MS });
    // The bot's own menu comes right after: counted before it arrived, it passed for the answer to "hola de nuevo".
    await waitOnPhone('in', 'Tu conversación con el asesor terminó');
    const menusBefore = await page.locator('[data-testid="phone-message"][data-direction="in"]', { hasText: 'Ver opciones' }).count();
    await userWrites('hola de nuevo');
    await expect.poll(() => page.locator('[data-testid="phone-message"][data-direction="in"]', { hasText: 'Ver opciones' }).count(), { timeout: STEP_MS }).toBeGreaterThan(menusBefore);

    // Everything on the phone, in the order it happened.
    const texts = await phoneTexts();
    const steps: ['in' | 'out', string][] = [
      ['out', 'hola'],
      ['in', '¿Qué necesitas hoy?'],
      ['out', '3. Hablar con un asesor'],
      ['out', '1020304050'],
      ['in', 'Ya validé tu identidad'],
      ['in', 'Conectando con un asesor'],
      ['in', 'se unió a la conversación'],
      ['in', 'Hola Laura, soy Sofía'],
      ['in', 'Ya estoy revisando tu cuenta'],
      ['out', 'Mi internet está muy lento'],
      ['out', 'Desde ayer en la noche'],
      ['in', 'Tu consulta quedó resuelta'],
      ['out', 'hola de nuevo'],
      ['in', 'Ver opciones'],
    ];
    let at = -1;
    for (const [who, text] of steps) {
      const next = texts.findIndex((t, i) => i > at && t.startsWith(`${who}: `) && t.includes(text));
      expect(next, `${who}: "${text}" after position ${at} in:\n${texts.join('\n')}`).toBeGreaterThan(at);
      at = next;
    }

    // Delivery ticks reach "read" for what the user has on screen, and the ticket's log is shown.
    await page.locator('[data-testid="phone-message"][data-direction="in"][data-status="read"]').first().waitFor({ timeout: STEP_MS });
    await expect.poll(async () => (await page.getByTestId('ticket-log').textContent()) ?? '', { timeout: STEP_MS }).toContain('Desde ayer en la noche');
    await page.screenshot({ path: join(SHOTS, '3-back-to-the-bot.png') });

    // The simulators saw what the page showed: the CRM got both user messages, in order.
    const [closed] = crm.tickets();
    expect(closed?.status).toBe('closed');
    const relayedToCrm = (closed?.userMessages ?? []).map((m) => (m as { text?: string }).text);
    expect(relayedToCrm).toEqual(['Mi internet está muy lento', 'Desde ayer en la noche']);
    // (In the simulator's terms `out` is the business's message; the page marks it read when shown.)
    await expect.poll(() => whatsapp.conversation(waId).some((m) => m.direction === 'out' && m.status === 'read'), { timeout: STEP_MS }).toBe(true);
  }, 120_000);
});
