import { z } from '@hono/zod-openapi';
import { withTimeout } from '../../platform/redis/connection.js';
import { AppError } from '../../platform/http/errors.js';
import { errorResponses } from '../../platform/http/openapi-errors.js';
import type { RouteGroup } from '../../platform/http/route-group.js';
import { normalizeWebhook } from '../../whatsapp/normalize.js';
import { parseSignedJson } from '../../whatsapp/webhook-auth.js';
import { WebhookPayloadError } from '../../whatsapp/webhook-schema.js';
import type { Ingress } from '../ingress.js';

/** How long storing a webhook may take before we answer 503. */
const ENQUEUE_DEADLINE_MS = 5_000;

const ackSchema = z.object({
  status: z.literal('ok'),
  messages: z.object({ queued: z.number(), duplicate: z.number() }),
  statuses: z.object({ queued: z.number(), duplicate: z.number() }),
});

/**
 * Meta's webhook, in the `meta` group: the group checks the verify token of the handshake and the
 * signature of every POST over the raw bytes before these handlers run. The answer is 200 only
 * after every item is stored in Redis: a failure there is a 503, which makes Meta deliver again
 * (duplicates are then recognised by wamid).
 */
export function registerWebhook(group: RouteGroup, deps: { ingress: Ingress }): void {
  group.raw(
    {
      method: 'get',
      path: '/webhook',
      summary: "Meta's verification handshake",
      request: { query: z.object({ 'hub.mode': z.string(), 'hub.verify_token': z.string(), 'hub.challenge': z.string() }) },
      responses: { 200: { description: '`hub.challenge`, as plain text', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses(403) },
    },
    (c) => {
      const challenge = c.req.query('hub.challenge');
      if (c.req.query('hub.mode') === 'subscribe' && challenge !== undefined) return c.text(challenge, 200);
      throw new AppError('FORBIDDEN', 'Verification failed: wrong hub.mode or hub.verify_token');
    },
  );

  group.raw(
    {
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
    },
    async (c) => {
      const payload = parseSignedJson(c.get('rawBody'));
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
    },
  );
}
