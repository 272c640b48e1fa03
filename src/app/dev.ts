/**
 * Development entry (`npm run dev`): runs the whole gateway on embedded defaults, with nothing
 * configured. Uses REDIS_URL / MONGODB_URI when set; otherwise finds or starts Redis and runs the
 * embedded MongoDB-compatible store in-process. Unless WHATSAPP_API_URL / CRM_BASE_URL are set (or
 * PUENTE_SIMULATORS=off), it also starts the WhatsApp and CRM simulators in this process and serves
 * the playground at /playground. Placeholder secrets are for local use only, so it listens on
 * 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { createCrmSimulator, type CrmSimulator } from '../../devstack/crm-sim/index.js';
import { createPlayground } from '../../devstack/playground/index.js';
import { resolveDevRedis } from '../../devstack/redis.js';
import { createWhatsAppSimulator, type WhatsAppSimulator } from '../../devstack/whatsapp-sim/index.js';
import { DEFAULT_ORG_ID, deriveKey } from '../api-keys/index.js';
import { ConfigError, loadConfig } from '../platform/config/index.js';
import { exitOnSignals, startPuente } from './start.js';

const devDefaults: Record<string, string> = {
  LOG_LEVEL: 'info',
  META_WEBHOOK_SECRET: 'dev-meta-app-secret',
  WEBHOOK_VERIFY_TOKEN: 'dev-verify-token',
  CRM_API_TOKEN: 'dev-crm-token',
  BOT_API_TOKEN: 'dev-bot-token',
  BOT_SIGNATURE_SECRET: 'dev-bot-signature-secret',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000000',
  WHATSAPP_ACCESS_TOKEN: 'dev-access-token',
  // Webhook subscriptions may point at n8n or a receiver on this machine (never in production).
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
};

/** The simulators this run needs: one stands in for each outside party that is not configured. */
async function startSimulators(env: Record<string, string | undefined>, puenteUrl: string): Promise<{ whatsapp?: WhatsAppSimulator; crm?: CrmSimulator }> {
  if (env.PUENTE_SIMULATORS === 'off') return {};
  const started: { whatsapp?: WhatsAppSimulator; crm?: CrmSimulator } = {};
  if (!env.WHATSAPP_API_URL) {
    started.whatsapp = createWhatsAppSimulator({
      webhookUrl: `${puenteUrl}/webhook`,
      appSecret: env.META_WEBHOOK_SECRET ?? '',
      accessToken: env.WHATSAPP_ACCESS_TOKEN ?? '',
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID ?? '',
    });
    env.WHATSAPP_API_URL = await started.whatsapp.listen(0, '127.0.0.1');
    env.WHATSAPP_BUSINESS_ACCOUNT_ID ||= started.whatsapp.wabaId; // campaign steps are checked against the simulator's templates
  }
  if (!env.CRM_BASE_URL) {
    started.crm = createCrmSimulator({ puenteUrl, crmApiToken: env.CRM_API_TOKEN ?? '', botApiToken: env.BOT_API_TOKEN ?? '', botSignatureSecret: env.BOT_SIGNATURE_SECRET ?? '' });
    env.CRM_BASE_URL = await started.crm.listen(0, '127.0.0.1');
  }
  return started;
}

async function main(): Promise<void> {
  let redis;
  try {
    redis = await resolveDevRedis(process.env.REDIS_URL || undefined);
  } catch {
    console.error('Puente needs Redis: install it (e.g. `apt-get install redis-server`) or set REDIS_URL.');
    process.exit(1);
  }
  const generatedPassword = process.env.BULL_BOARD_USER ? undefined : randomBytes(9).toString('base64url');
  const generatedAdminKey = process.env.API_ADMIN_KEY ? undefined : randomBytes(32).toString('base64url');
  const env: Record<string, string | undefined> = {
    ...devDefaults,
    ...process.env,
    REDIS_URL: redis.url,
    MONGODB_URI: process.env.MONGODB_URI || 'memory://',
    ...(generatedPassword ? { BULL_BOARD_USER: 'admin', BULL_BOARD_PASSWORD: generatedPassword } : {}),
    ...(generatedAdminKey ? { API_ADMIN_KEY: generatedAdminKey } : {}),
  };
  const port = loadConfig(env).PORT;
  const { whatsapp, crm } = await startSimulators(env, `http://127.0.0.1:${port}`);
  const config = loadConfig({ ...env, CRM_BASE_URL: env.CRM_BASE_URL ?? 'http://127.0.0.1:4000' });
  const base = `http://localhost:${port}`;
  // Metrics, the detailed readiness and Bull Board are on the ops listener (127.0.0.1:9091 unless OPS_PORT/OPS_HOST say otherwise).
  const ops = `http://${config.OPS_HOST === '0.0.0.0' || config.OPS_HOST === '127.0.0.1' ? 'localhost' : config.OPS_HOST}:${config.OPS_PORT}`;
  // Open playground tabs hold an event stream each: it must end for the server to close on Ctrl+C.
  const pageStreams = new AbortController();
  const playground = whatsapp && crm ? createPlayground({ whatsapp, crm, links: { docs: '/api/docs', metrics: `${ops}/metrics`, bullBoard: `${ops}/admin/queues` }, signal: pageStreams.signal }) : undefined;
  const running = await startPuente(config, { pretty: true, hostname: '127.0.0.1', ...(playground ? { devMounts: [{ path: '/playground', app: playground }] } : {}) });
  // Derived from the admin key, so with a fixed API_ADMIN_KEY and a persistent MongoDB every start
  // prints (and stores) the same key instead of adding one more.
  const devApiKey = deriveKey(config.API_ADMIN_KEY ?? '', 'puente dev key for the default organization');
  await running.deps.apiKeys.store.ensureKey(DEFAULT_ORG_ID, { name: 'dev', scopes: ['read', 'write'], key: devApiKey });
  const lines = [
    `Puente is running (role ${config.PUENTE_ROLE})`,
    playground
      ? `  playground  ${base}/playground   <- start here: a WhatsApp phone and the CRM's agent console`
      : `  playground  off: it needs both simulators (WhatsApp ${whatsapp ? 'simulated' : 'real'}, CRM ${crm ? 'simulated' : 'real'})`,
    `  health      ${base}/healthz`,
    `  webhook     ${base}/webhook`,
    `  API docs    ${base}/api/docs   (${base}/openapi.json)`,
    `  ops         ${ops}/metrics   ready ${ops}/readyz   (the ops listener, OPS_PORT)`,
    `  Bull Board  ${ops}/admin/queues  user ${config.BULL_BOARD_USER}${generatedPassword ? ` password ${generatedPassword}` : ''}${config.BULL_BOARD_READ_ONLY ? '  (read-only; BULL_BOARD_READ_ONLY=false to retry or clean jobs)' : ''}`,
    `  admin key   ${generatedAdminKey ?? 'API_ADMIN_KEY'}   (X-API-Key on ${base}/api/v1/admin/)`,
    `  API key     ${devApiKey}   (organization ${DEFAULT_ORG_ID}, read,write; try ${base}/api/v1/me)`,
    `  WhatsApp    ${whatsapp ? `simulator at ${config.WHATSAPP_API_URL}` : config.WHATSAPP_API_URL}`,
    `  CRM         ${crm ? `simulator at ${config.CRM_BASE_URL} (test documents ${crm.customers.map((c) => c.document).join(', ')})` : config.CRM_BASE_URL}`,
    `  Redis       ${redis.url} (${redis.source})`,
    `  MongoDB     ${env.MONGODB_URI === 'memory://' ? `embedded store at ${running.deps.mongo.uri}` : 'MONGODB_URI'}`,
  ];
  console.log(lines.join('\n'));
  process.once('exit', () => void redis.stop());
  // Registered before exitOnSignals' own handlers, so the streams end before the server closes.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => pageStreams.abort());
  exitOnSignals(running);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Puente failed to start: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
