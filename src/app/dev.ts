/**
 * Development entry (`npm run dev`): runs the whole gateway on embedded defaults, with nothing
 * configured. Uses REDIS_URL / MONGODB_URI when set; otherwise finds or starts Redis and runs the
 * embedded MongoDB-compatible store in-process. Placeholder secrets are for local use only.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../platform/config/index.js';
import { exitOnSignals, startPuente } from './start.js';
import { resolveDevRedis } from '../../devstack/redis.js';

const devDefaults: Record<string, string> = {
  LOG_LEVEL: 'debug',
  META_WEBHOOK_SECRET: 'dev-meta-app-secret',
  WEBHOOK_VERIFY_TOKEN: 'dev-verify-token',
  CRM_API_TOKEN: 'dev-crm-token',
  BOT_API_TOKEN: 'dev-bot-token',
  BOT_SIGNATURE_SECRET: 'dev-bot-signature-secret',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000000',
  WHATSAPP_ACCESS_TOKEN: 'dev-access-token',
  CRM_BASE_URL: 'http://127.0.0.1:4000',
};

async function main(): Promise<void> {
  let redis;
  try {
    redis = await resolveDevRedis(process.env.REDIS_URL || undefined);
  } catch {
    console.error('Puente needs Redis: install it (e.g. `apt-get install redis-server`) or set REDIS_URL.');
    process.exit(1);
  }
  const generatedPassword = process.env.BULL_BOARD_USER ? undefined : randomBytes(9).toString('base64url');
  const env: Record<string, string | undefined> = {
    ...devDefaults,
    ...process.env,
    REDIS_URL: redis.url,
    MONGODB_URI: process.env.MONGODB_URI || 'memory://',
    ...(generatedPassword ? { BULL_BOARD_USER: 'admin', BULL_BOARD_PASSWORD: generatedPassword } : {}),
  };
  const config = loadConfig(env);
  const running = await startPuente(config, { pretty: true });
  const base = `http://localhost:${running.port ?? config.PORT}`;
  const lines = [
    `Puente is running (role ${config.PUENTE_ROLE})`,
    `  health      ${base}/healthz   ready ${base}/readyz`,
    `  webhook     ${base}/webhook`,
    `  API docs    ${base}/api/docs   (${base}/openapi.json)`,
    `  metrics     ${base}/metrics`,
    `  Bull Board  ${base}/admin/queues  user ${config.BULL_BOARD_USER}${generatedPassword ? ` password ${generatedPassword}` : ''}`,
    `  Redis       ${redis.url} (${redis.source})`,
    `  MongoDB     ${env.MONGODB_URI === 'memory://' ? `embedded store at ${running.deps.mongo.uri}` : 'MONGODB_URI'}`,
  ];
  console.log(lines.join('\n'));
  process.once('exit', () => void redis.stop());
  exitOnSignals(running);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Puente failed to start: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
