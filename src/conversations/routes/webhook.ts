import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Ingress } from '../ingress.js';
import type { Config } from '../../platform/config/index.js';
import { normalizeWebhook } from '../../whatsapp/normalize.js';
import { verifyMetaSignature } from '../../whatsapp/signature.js';
import { WebhookPayloadError } from '../../whatsapp/webhook-schema.js';
import { withTimeout } from '../../platform/redis/connection.js';
import { AppError } from '../../platform/http/errors.js';
import { secureEquals } from '../../platform/http/secure-compare.js';
import type { AppEnv } from '../../platform/http/types.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';

/** How long storing a webhook may take before we answer 503. */
const ENQUEUE_DEADLINE_MS = 5_000;

const ackSchema = z.object({
  status: z.literal('ok'),
  messages: z.object({ queued: z.number(), duplicate: z.number() }),
  statuses: z.object({ queued: z.number(), duplicate: z.number() }),
});

/**
 * Meta's webhook. The body is read as raw bytes, its signature checked before anything parses it,
 * and the answer is 200 only after every item is stored in Redis: a failure there is a 503, which
 * makes Meta deliver again (duplicates are then recognised by wamid).
 */
export function webhookRoutes(deps: { config: Config; ingress: Ingress }): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const { WEBHOOK_VERIFY_TOKEN: verifyToken, META_WEBHOOK_SECRET: appSecret } = deps.config;

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/webhook',
    summary: "Meta's verification handshake",
    request: { query: z.object({ 'hub.mode': z.string(), 'hub.verify_token': z.string(), 'hub.challenge': z.string() }) },
    responses: { 200: { description: '`hub.challenge`, as plain text', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses(403) },
  });
  app.get('/webhook', (c) => {
    const mode = c.req.query('hub.mode');
    const challenge = c.req.query('hub.challenge');
    if (mode === 'subscribe' && challenge !== undefined && secureEquals(c.req.query('hub.verify_token'), verifyToken)) {
      return c.text(challenge, 200);
    }
    throw new AppError('FORBIDDEN', 'Verification failed: wrong hub.mode or hub.verify_token');
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/webhook',
    summary: 'WhatsApp webhook (messages and statuses), signed with X-Hub-Signature-256',
    request: {
      headers: z.object({ 'x-hub-signature-256': z.string().describe('sha256=<hex HMAC-SHA256 of the raw body with the Meta App Secret>') }),
      body: { content: { 'application/json': { schema: z.object({ object: z.literal('whatsapp_business_account'), entry: z.array(z.unknown()) }) } } },
    },
    responses: {
      200: { description: 'Every item is stored; duplicates are counted, not queued', content: { 'application/json': { schema: ackSchema } } },
      ...errorResponses(400, 401, 413, 503),
    },
  });
  app.post('/webhook', async (c) => {
    if (!appSecret) throw new AppError('NOT_CONFIGURED', 'META_WEBHOOK_SECRET is not set');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (!verifyMetaSignature({ appSecret, rawBody: raw, signatureHeader: c.req.header('x-hub-signature-256') })) {
      throw new AppError('INVALID_SIGNATURE', 'Missing or invalid X-Hub-Signature-256');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch {
      throw new AppError('MALFORMED_JSON', 'The body is not valid JSON');
    }
    let normalized;
    try {
      normalized = normalizeWebhook(payload);
    } catch (err) {
      if (err instanceof WebhookPayloadError) throw new AppError('INVALID_WEBHOOK_PAYLOAD', 'Not a WhatsApp Business webhook payload', err.details);
      throw err;
    }
    const logger = c.get('logger');
    for (const e of normalized.errors) logger.warn({ phoneNumberId: e.phoneNumberId, error: e.error }, 'WhatsApp reported an asynchronous error');
    for (const s of normalized.skipped) logger.warn(s, 'message without a sender skipped');
    let result;
    try {
      // Never leave Meta hanging on a half-dead Redis: past the deadline it is a 503 and Meta retries.
      result = await withTimeout(deps.ingress.enqueue(normalized), ENQUEUE_DEADLINE_MS, 'enqueue deadline exceeded');
    } catch (err) {
      logger.error({ err }, 'could not store the webhook; answering 503 so Meta retries');
      throw new AppError('SERVICE_UNAVAILABLE', 'Could not store the webhook; retry later');
    }
    return c.json({ status: 'ok' as const, ...result }, 200);
  });
  return app;
}
