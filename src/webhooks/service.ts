/**
 * What the webhook routes do: subscriptions (create with a secret and a verification, change,
 * rotate the secret, pause/resume, delete), test events and redeliveries.
 */
import { randomBytes } from 'node:crypto';
import type { Mailbox } from '../../queues/mailbox.js';
import type { EventType } from '../platform/events/types.js';
import { AppError } from '../platform/http/errors.js';
import type { Pagination } from '../platform/http/pagination.js';
import type { Logger } from '../platform/logging/logger.js';
import type { SubscriptionCache } from './cache.js';
import { VERIFICATION_EVENT } from './event-docs.js';
import { newId } from './ids.js';
import type { DeliveryDoc, SigningSecret, SubscriptionDoc } from './models.js';
import { enqueue, eventBody, newDelivery, type DeliveryItem } from './queueing.js';
import type { RetryState } from './redis-state.js';
import { EVENT_SAMPLES } from './samples.js';
import { DEFAULT_OVERLAP_SECONDS } from './schemas.js';
import { generateSecret } from './signature.js';
import { checkTargetUrl, type Resolver, type TargetPolicy } from './ssrf.js';
import type { DeliveryStore, SubscriptionStore } from './store.js';

/** Subscriptions one organization may have. */
export const MAX_SUBSCRIPTIONS_PER_ORG = 50;

export interface CreateInput {
  url: string;
  events: string[];
  description?: string;
}

export interface UpdateInput {
  url?: string;
  events?: string[];
  description?: string | null;
  status?: 'active' | 'paused';
  rotate_secret?: boolean;
  overlap_seconds?: number;
}

export interface WebhookService {
  create(orgId: string, input: CreateInput): Promise<{ subscription: SubscriptionDoc; secret: string }>;
  update(orgId: string, id: string, input: UpdateInput): Promise<{ subscription: SubscriptionDoc; secret?: string }>;
  remove(orgId: string, id: string): Promise<void>;
  sendTest(orgId: string, id: string, type: EventType): Promise<DeliveryDoc>;
  redeliver(orgId: string, id: string, deliveryId: string): Promise<DeliveryDoc>;
  /** The subscription, or 404. */
  get(orgId: string, id: string): Promise<SubscriptionDoc>;
  list(orgId: string, page: Pagination): Promise<{ data: SubscriptionDoc[]; total: number }>;
}

/** `["*"]` stays alone; a list loses its duplicates. */
const normalizeEvents = (events: string[]) => (events.includes('*') ? ['*'] : [...new Set(events)]);

export function createWebhookService(deps: {
  subscriptions: SubscriptionStore;
  deliveries: DeliveryStore;
  cache: SubscriptionCache;
  mailbox: Mailbox<DeliveryItem>;
  state: RetryState;
  policy: TargetPolicy;
  resolve: Resolver;
  now: () => Date;
  logger: Logger;
}): WebhookService {
  const { subscriptions, deliveries } = deps;

  async function checkUrl(url: string): Promise<string> {
    const check = await checkTargetUrl(url, deps.policy, deps.resolve);
    if (!check.ok) throw new AppError('INVALID_VALUE', 'The url is not an allowed webhook target', [{ path: 'url', message: check.reason }]);
    return check.url.toString();
  }

  async function get(orgId: string, id: string): Promise<SubscriptionDoc> {
    const sub = await subscriptions.get(orgId, id);
    if (!sub) throw new AppError('NOT_FOUND', `No webhook ${id}`);
    return sub;
  }

  /** A verification delivery for `sub` (which must already name it as its `verification_id`), queued. */
  async function queueVerification(sub: SubscriptionDoc, deliveryId: string, now: Date): Promise<void> {
    const challenge = randomBytes(24).toString('base64url');
    const body = eventBody({ id: newId('evt'), type: VERIFICATION_EVENT, occurred_at: now, org_id: sub.org_id, data: { challenge } });
    const doc = newDelivery({ _id: deliveryId, org_id: sub.org_id, subscription_id: sub._id, event_id: JSON.parse(body).id as string, event: VERIFICATION_EVENT, kind: 'verification', body, occurred_at: now }, now);
    await enqueue(deliveries, deps.mailbox, [doc], challenge);
  }

  return {
    get,
    list: (orgId, page) => subscriptions.list(orgId, page),

    async create(orgId, input) {
      const url = await checkUrl(input.url);
      if ((await subscriptions.count(orgId)) >= MAX_SUBSCRIPTIONS_PER_ORG) throw new AppError('CONFLICT', `An organization may have at most ${MAX_SUBSCRIPTIONS_PER_ORG} webhooks`);
      const now = deps.now();
      const secret = generateSecret();
      const verificationId = newId('dlv');
      const doc: SubscriptionDoc = {
        _id: newId('whk'),
        org_id: orgId,
        url,
        events: normalizeEvents(input.events),
        ...(input.description ? { description: input.description } : {}),
        status: 'pending_verification',
        secrets: [{ value: secret, created_at: now }],
        verification_id: verificationId,
        created_at: now,
        updated_at: now,
      };
      await subscriptions.insert(doc);
      await queueVerification(doc, verificationId, now);
      return { subscription: doc, secret };
    },

    async update(orgId, id, input) {
      const current = await get(orgId, id);
      const now = deps.now();
      const set: Partial<SubscriptionDoc> = { updated_at: now };
      const unset: Record<string, ''> = {};
      const url = input.url === undefined ? undefined : await checkUrl(input.url);
      const urlChanged = url !== undefined && url !== current.url;
      if (urlChanged) set.url = url;
      if (input.events) set.events = normalizeEvents(input.events);
      if (input.description === null) unset.description = '';
      else if (input.description !== undefined) set.description = input.description;

      let verify = urlChanged;
      if (input.status === 'paused') {
        if (urlChanged) throw new AppError('CONFLICT', 'A webhook whose url changes is verified first; pause it afterwards');
        if (current.status !== 'active' && current.status !== 'paused') throw new AppError('CONFLICT', `Only an active webhook can be paused (this one is ${current.status})`);
        set.status = 'paused';
      } else if (input.status === 'active') {
        if (current.status === 'paused') set.status = 'active';
        else if (current.status === 'pending_verification' || current.status === 'disabled') verify = true;
      }
      if (verify) {
        set.status = 'pending_verification';
        set.verification_id = newId('dlv');
        unset.disabled_reason = '';
        unset.disabled_at = '';
        unset.failing_since = '';
      }

      let secret: string | undefined;
      if (input.rotate_secret) {
        secret = generateSecret();
        const overlap = input.overlap_seconds ?? DEFAULT_OVERLAP_SECONDS;
        const previous = current.secrets[0];
        const secrets: SigningSecret[] = [{ value: secret, created_at: now }];
        if (previous && overlap > 0) secrets.push({ value: previous.value, created_at: previous.created_at, expires_at: new Date(now.getTime() + overlap * 1000) });
        set.secrets = secrets;
      }

      const updated = await subscriptions.update(orgId, id, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
      if (!updated) throw new AppError('NOT_FOUND', `No webhook ${id}`);
      deps.cache.invalidate(orgId, id);
      if (verify) {
        await deps.state.success(id); // a new verification starts a clean record
        await queueVerification(updated, set.verification_id!, now);
      }
      return secret ? { subscription: updated, secret } : { subscription: updated };
    },

    async remove(orgId, id) {
      if (!(await subscriptions.delete(orgId, id))) throw new AppError('NOT_FOUND', `No webhook ${id}`);
      deps.cache.invalidate(orgId, id);
      // Queued deliveries find no subscription and are dropped as their lanes reach them.
      await Promise.all([deliveries.deleteForSubscription(orgId, id), deps.state.success(id)]);
    },

    async sendTest(orgId, id, type) {
      const sub = await get(orgId, id);
      const now = deps.now();
      const eventId = newId('evt');
      const body = eventBody({ id: eventId, type, occurred_at: now, org_id: orgId, data: EVENT_SAMPLES[type] });
      const doc = newDelivery({ _id: newId('dlv'), org_id: orgId, subscription_id: sub._id, event_id: eventId, event: type, kind: 'test', body, occurred_at: now }, now);
      await enqueue(deliveries, deps.mailbox, [doc]);
      return doc;
    },

    async redeliver(orgId, id, deliveryId) {
      const sub = await get(orgId, id);
      const original = await deliveries.get(orgId, sub._id, deliveryId);
      if (!original) throw new AppError('NOT_FOUND', `No delivery ${deliveryId} of webhook ${id}`);
      if (original.kind === 'verification') throw new AppError('CONFLICT', 'A verification is not redelivered: set the webhook active to verify it again');
      const now = deps.now();
      const doc = newDelivery(
        {
          _id: newId('dlv'),
          org_id: orgId,
          subscription_id: sub._id,
          event_id: original.event_id,
          event: original.event,
          kind: 'redelivery',
          body: original.body,
          occurred_at: original.occurred_at,
          redelivery_of: original._id,
          ...(original.resource?.type ? { resource: original.resource } : {}),
        },
        now,
      );
      await enqueue(deliveries, deps.mailbox, [doc]);
      return doc;
    },
  };
}
