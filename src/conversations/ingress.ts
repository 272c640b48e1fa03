import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WINDOW_KEY_TTL_SECONDS, windowKey } from './service-window.js';
import type { Metrics } from '../platform/metrics/registry.js';
import { laneKeyOf } from '../whatsapp/normalize.js';
import type { NormalizedWebhook, StatusEvent } from '../whatsapp/webhook-events.js';
import type { LanePush } from '../../queues/lanes.js';
import type { InboundLaneItem } from './lane-items.js';
import { addJobs } from '../../queues/registry.js';

/** Meta re-delivers unacknowledged webhooks for up to 7 days; dedupe keys outlive that by a day. */
export const DEDUPE_TTL_SECONDS = 8 * 86_400;

export interface IngressResult {
  messages: { queued: number; duplicate: number };
  statuses: { queued: number; duplicate: number };
}

/**
 * Durably enqueues everything a webhook carried: each message into its conversation lane (deduped
 * by wamid, atomically with the append) and each status into the status queue (deduped by
 * wamid + status). Resolves only when all of it is stored; any Redis failure rejects, so the
 * webhook answers 503 and Meta retries (already-stored items then count as duplicates).
 */
export function createIngress(deps: { redis: Redis; keyPrefix: string; lanes: { push: LanePush<InboundLaneItem> }; statusQueue: Queue; metrics: Metrics }) {
  async function enqueueStatuses(statuses: StatusEvent[]): Promise<number> {
    if (statuses.length === 0) return 0;
    const claims = await Promise.all(
      statuses.map((s) => deps.redis.set(`${deps.keyPrefix}:dd:st:${s.wamid}:${s.status}`, '1', 'EX', DEDUPE_TTL_SECONDS, 'NX')),
    );
    const fresh = statuses.filter((_, i) => claims[i] === 'OK');
    try {
      await addJobs(deps.statusQueue, fresh.map((status) => ({ name: 'status', data: status, opts: { attempts: 8, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } } })));
    } catch (err) {
      // Give the claims back so Meta's retry is not mistaken for a duplicate.
      await Promise.allSettled(fresh.map((s) => deps.redis.del(`${deps.keyPrefix}:dd:st:${s.wamid}:${s.status}`)));
      throw err;
    }
    return fresh.length;
  }

  return {
    async enqueue(webhook: NormalizedWebhook): Promise<IngressResult> {
      const receivedAt = Date.now();
      const [pushed, statusesQueued] = await Promise.all([
        deps.lanes.push(
          webhook.events.map((event) => ({
            lane: laneKeyOf(event),
            item: { id: event.wamid, kind: 'inbound' as const, event, receivedAt },
            dedupeKey: `in:${event.wamid}`,
            dedupeTtlSeconds: DEDUPE_TTL_SECONDS,
            mark: { key: windowKey(deps.keyPrefix, laneKeyOf(event)), value: event.timestamp, ttlSeconds: WINDOW_KEY_TTL_SECONDS },
          })),
        ),
        enqueueStatuses(webhook.statuses),
      ]);
      const queued = pushed.filter((r) => r === 'queued').length;
      const result = {
        messages: { queued, duplicate: pushed.length - queued },
        statuses: { queued: statusesQueued, duplicate: webhook.statuses.length - statusesQueued },
      };
      deps.metrics.webhookItems.inc({ kind: 'message', result: 'queued' }, result.messages.queued);
      deps.metrics.webhookItems.inc({ kind: 'message', result: 'duplicate' }, result.messages.duplicate);
      deps.metrics.webhookItems.inc({ kind: 'status', result: 'queued' }, result.statuses.queued);
      deps.metrics.webhookItems.inc({ kind: 'status', result: 'duplicate' }, result.statuses.duplicate);
      return result;
    },
  };
}

export type Ingress = ReturnType<typeof createIngress>;
