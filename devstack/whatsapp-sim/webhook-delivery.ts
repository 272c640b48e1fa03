/**
 * Posting webhooks the way Meta does: the body as compact JSON with every non-ASCII character
 * escaped as `\uXXXX` (lowercase hex, emoji as surrogate pairs), signed over exactly those bytes
 * with the app secret (`X-Hub-Signature-256: sha256=<hex>`), and re-delivered with backoff while the
 * receiver answers anything but 2xx or cannot be reached. The escaping matters: a receiver that
 * re-serializes the parsed body before checking the signature fails here as it would with Meta.
 */
import { createHmac } from 'node:crypto';

/** `JSON.stringify` with Meta's ASCII escaping (test/fixtures/whatsapp/signature-vector.body). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function signMetaBody(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}

/** The webhook could not be delivered: the receiver's last status (none when unreachable) and body. */
export class WebhookDeliveryError extends Error {
  readonly status: number | undefined;
  readonly body: string | undefined;

  constructor(message: string, status?: number, body?: string) {
    super(message);
    this.name = 'WebhookDeliveryError';
    this.status = status;
    this.body = body;
  }
}

export interface WebhookPoster {
  /** Resolves once the receiver answered 2xx; rejects with {@link WebhookDeliveryError} after the last try. */
  post(payload: unknown): Promise<void>;
  /** Stops pending retries and aborts requests in flight. */
  close(): void;
}

const ATTEMPT_TIMEOUT_MS = 10_000;

export function createWebhookPoster(options: { url: string; appSecret: string; retryDelaysMs: readonly number[] }): WebhookPoster {
  const closing = new AbortController();

  async function attempt(body: string): Promise<{ ok: true } | { ok: false; status?: number; text?: string; reason: string }> {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature-256': signMetaBody(options.appSecret, body),
        },
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
        redirect: 'manual',
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, status: response.status, text, reason: `HTTP ${response.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { ok: false, reason: cause?.code ?? (err instanceof Error ? err.message : String(err)) };
    }
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      closing.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  return {
    async post(payload) {
      const body = metaJson(payload);
      const delays = [0, ...options.retryDelaysMs];
      let last: { status?: number; text?: string; reason: string } = { reason: 'not attempted' };
      for (const delay of delays) {
        if (delay > 0) await pause(delay);
        if (closing.signal.aborted) throw new WebhookDeliveryError('WhatsApp simulator closed before the webhook was delivered');
        const result = await attempt(body);
        if (result.ok) return;
        last = result;
      }
      throw new WebhookDeliveryError(
        `Puente did not accept the webhook after ${delays.length} attempts (${last.reason})${last.text ? `: ${last.text.slice(0, 500)}` : ''}`,
        last.status,
        last.text,
      );
    },
    close() {
      closing.abort();
    },
  };
}
