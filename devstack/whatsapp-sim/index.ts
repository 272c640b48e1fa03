/**
 * The WhatsApp Cloud API stand-in and the simulated phones, for the playground and tests. It speaks to Puente only over HTTP, like Meta: Puente sends to its
 * Graph surface (`app`), and it posts signed webhooks to Puente's /webhook: the users' messages
 * (`userSends`) and the statuses of the business's messages (sent, delivered, and read once the
 * user looks at the chat: `markSeen`). Nothing here imports Puente's code, so the simulator
 * encodes Meta's rules on its own and does not share Puente's mistakes.
 */
import { EventEmitter } from 'node:events';
import { createGraphApp } from './graph-app.js';
import { inboundMessage } from './inbound-messages.js';
import { PhoneBook, type OutboundInfo } from './phones.js';
import { DEFAULT_TEMPLATES } from './templates.js';
import type { SimMessage, SimStatus, SimStatusEvent, UserInput, WhatsAppSimOptions, WhatsAppSimulator } from './types.js';
import { userWamid } from './wamid.js';
import { createWebhookPoster } from './webhook-delivery.js';
import { inboundWebhook, statusWebhook, unixSeconds, type BusinessIdentity } from './webhook-payloads.js';
import { createHttpListener } from '../http-listener.js';

export type { SimMessage, SimStatus, SimStatusEvent, UserInput, WhatsAppSimOptions, WhatsAppSimulator } from './types.js';
export { DEFAULT_TEMPLATES, type RenderedTemplate, type SimTemplate } from './templates.js';
export { WebhookDeliveryError, metaJson, signMetaBody } from './webhook-delivery.js';
export { UnknownOptionError } from './inbound-messages.js';

const DEFAULT_DELAYS = { sent: 150, delivered: 500 };
const DEFAULT_RETRY_DELAYS_MS = [200, 600, 1500];

export function createWhatsAppSimulator(options: WhatsAppSimOptions): WhatsAppSimulator {
  const now = options.now ?? Date.now;
  const delays = options.statusDelaysMs ?? DEFAULT_DELAYS;
  const business: BusinessIdentity = {
    wabaId: options.wabaId ?? '100000000000001',
    phoneNumberId: options.phoneNumberId,
    displayPhoneNumber: options.displayPhoneNumber ?? '15550001234',
  };
  const phones = new PhoneBook(now);
  const events = new EventEmitter();
  const poster = createWebhookPoster({ url: options.webhookUrl, appSecret: options.appSecret, retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS });
  const timers = new Set<NodeJS.Timeout>();
  // Status webhooks of one user go out one after another, so a retried `sent` is not overtaken by `delivered`.
  const chains = new Map<string, Promise<void>>();
  let closed = false;

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  }

  /** Records the status, tells listeners and queues the signed webhook; resolves once it was posted (or given up). */
  function reportStatus(message: SimMessage, status: Exclude<SimStatus, 'received'>, info: OutboundInfo): Promise<void> {
    const atMs = now();
    const event: SimStatusEvent = { wamid: message.wamid, waId: message.waId, status, at: new Date(atMs).toISOString() };
    events.emit('status', event);
    const payload = statusWebhook(business, {
      wamid: message.wamid,
      status,
      atMs,
      recipientId: message.waId,
      template: info.template,
      conversation: info.conversation,
      ...(info.bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData: info.bizOpaqueCallbackData }),
    });
    const previous = chains.get(message.waId) ?? Promise.resolve();
    const next = previous.then(() =>
      poster.post(payload).catch((error: unknown) => {
        if (!closed) events.emit('webhook-failed', { kind: 'status', wamid: message.wamid, status, error });
      }),
    );
    chains.set(message.waId, next);
    return next;
  }

  function accepted(message: SimMessage, info: OutboundInfo): void {
    events.emit('message', { ...message });
    // The message is recorded as `sent` on acceptance (one grey tick); its webhook follows after the delay.
    later(delays.sent, () => void reportStatus(message, 'sent', info));
    later(delays.delivered, () => {
      if (phones.advance(message.wamid, 'delivered')) void reportStatus(message, 'delivered', info);
    });
  }

  const templates = options.templates ?? DEFAULT_TEMPLATES;
  const app = createGraphApp({ accessToken: options.accessToken, phoneNumberId: options.phoneNumberId, wabaId: business.wabaId, templates, phones, now, accepted });
  const http = createHttpListener(app, 'WhatsApp simulator');

  return {
    app,
    events,
    wabaId: business.wabaId,
    templates,

    async userSends(waId: string, input: UserInput, profileName?: string): Promise<SimMessage> {
      if (!/^\d{7,15}$/.test(waId)) throw new TypeError(`A WhatsApp id is 7 to 15 digits, got "${waId}"`);
      if (input.kind === 'text' && input.text.trim() === '') throw new TypeError('WhatsApp does not send an empty text');
      const atMs = now();
      const wamid = userWamid(waId);
      // Built before anything is recorded: a tap on an option nobody showed is refused without a trace.
      const item = inboundMessage(input, { waId, wamid, timestamp: unixSeconds(atMs), displayPhoneNumber: business.displayPhoneNumber, history: phones.history(waId) });
      const user = phones.user(waId, profileName);
      const message: SimMessage = { wamid, waId, direction: 'in', type: item.type, body: item, status: 'received', at: new Date(atMs).toISOString() };
      // The window opens when the user sends, before Puente hears of it: its reply must find it open.
      phones.recordInbound(message, atMs);
      events.emit('message', { ...message });
      await poster.post(inboundWebhook(business, { waId, profileName: user.profileName }, item));
      return { ...message };
    },

    async markSeen(waId: string): Promise<void> {
      const posted: Promise<void>[] = [];
      for (const message of phones.deliveredUnread(waId)) {
        const info = phones.info(message.wamid);
        if (info && phones.advance(message.wamid, 'read')) posted.push(reportStatus(message, 'read', info));
      }
      await Promise.all(posted);
    },

    conversation: (waId) => phones.chat(waId),
    users: () => phones.list(),

    listen: (port, host) => http.listen(port, host),

    async close(): Promise<void> {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      poster.close();
      await Promise.allSettled(chains.values());
      await http.close();
    },
  };
}
