/**
 * The mailbox handler: one delivery attempt per call, at the head of its (subscription, resource)
 * lane.
 *
 * Retries and order. A failed attempt asks the mailbox to retry this item later
 * (`{ retryAfterMs }`, HandlerOutcome): the lane's drain job is parked as a delayed BullMQ job (an
 * inline drain adds it, delayed to that time) and the item stays at the head of its list.
 * So the failing delivery holds its own lane — later events of that resource wait behind it, which
 * is what per-resource order means — but no worker slot and no other lane: other resources and
 * subscriptions go on. Nothing of the wait lives in a process: a SIGKILLed worker leaves a delayed
 * job and the item in Redis, and whichever worker picks the job up resumes at that item (the
 * attempt in flight when it died is repeated, with the same delivery id: at least once).
 *
 * Attempts are retried with exponential backoff and full jitter (backoff.ts) for 24 h from the
 * first one; then the delivery is `failed` and the lane moves on. A 410 disables the subscription
 * at once; a subscription with no success for 3 days since its first failure is disabled too. A
 * subscription at its concurrency cap parks the lane until a slot frees (redis-state.ts).
 */
import type { HandlerContext, HandlerOutcome, MailboxHandler } from '../../queues/mailbox.js';
import type { Logger } from '../platform/logging/logger.js';
import type { RetryPolicy } from './backoff.js';
import { retryDelayMs } from './backoff.js';
import type { SubscriptionCache } from './cache.js';
import type { WebhookMetrics } from './metrics.js';
import type { DeliveryAttempt, DisabledReason, SubscriptionDoc } from './models.js';
import type { DeliveryItem } from './queueing.js';
import type { RetryState, SlotLimiter } from './redis-state.js';
import { firstKiB } from './schemas.js';
import type { Sender, SendResult } from './sender.js';
import { signatureHeader } from './signature.js';
import type { DeliveryStore, SubscriptionStore } from './store.js';

export interface DeliveryTuning {
  retry: RetryPolicy;
  /** Waits between verification attempts: one attempt more than entries, then it has failed. */
  verificationDelaysMs: readonly number[];
  /** How long a lane whose subscription is paused (or being verified again) waits before looking again. */
  holdMs: number;
  /** A subscription failing this long without a success is disabled (3 days). */
  disableAfterMs: number;
  /** How long a lane at its subscription's cap waits if no slot-release wakes it first. */
  capWaitMs: number;
}

export interface DeliveryDeps {
  subscriptions: SubscriptionStore;
  deliveries: DeliveryStore;
  cache: SubscriptionCache;
  sender: Sender;
  limiter: SlotLimiter;
  state: RetryState;
  metrics: WebhookMetrics;
  logger: Logger;
  now: () => Date;
  userAgent: string;
  tuning: DeliveryTuning;
}

const jitter = (ms: number) => Math.round(ms * (0.75 + Math.random() * 0.5));
/** The longest a lane parked at its subscription's cap waits for a wake-up before looking again. */
const MAX_CAP_WAIT_MS = 15 * 60_000;

/** Whether an answer to the verification echoes the challenge: as the whole body, or JSON `{"challenge": …}`. */
export function echoesChallenge(body: string, challenge: string): boolean {
  const text = body.trim();
  if (text === challenge) return true;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

/**
 * A subscription's failure streak as this process reports it: every failure goes to Redis; a
 * success ends the streak there, but a subscription that keeps succeeding asks Redis at most once
 * a second (a streak ends at most a second late, which a 3-day rule does not notice), unless this
 * process saw it fail since.
 */
function streakReporter(state: RetryState) {
  const clearedAt = new Map<string, number>();
  return {
    async failure(subscriptionId: string, nowMs: number) {
      clearedAt.delete(subscriptionId);
      return state.failure(subscriptionId, nowMs);
    },
    async success(subscriptionId: string): Promise<boolean> {
      const at = Date.now();
      if (at - (clearedAt.get(subscriptionId) ?? 0) < 1_000) return false;
      clearedAt.set(subscriptionId, at);
      if (clearedAt.size > 10_000) clearedAt.clear();
      return state.success(subscriptionId);
    },
  };
}

export function createDeliveryHandler(deps: DeliveryDeps): MailboxHandler<DeliveryItem> {
  const { deliveries, state, metrics, tuning } = deps;
  const streaks = streakReporter(state);

  /** The secrets that sign now: the newest, and a rotated one until its overlap ends. */
  const signingSecrets = (sub: SubscriptionDoc, now: Date) => sub.secrets.filter((s) => !s.expires_at || new Date(s.expires_at) > now).map((s) => s.value);

  function send(sub: SubscriptionDoc, item: DeliveryItem, now: Date): Promise<SendResult> {
    const timestamp = Math.floor(now.getTime() / 1000);
    return deps.sender.post(sub.url, {
      'Content-Type': 'application/json',
      'User-Agent': deps.userAgent,
      'X-Puente-Event': item.e,
      'X-Puente-Delivery': item.id,
      'X-Puente-Signature': signatureHeader(signingSecrets(sub, now), timestamp, item.b),
    }, item.b);
  }

  const attemptOf = (at: Date, result: SendResult, error?: string): DeliveryAttempt => ({
    at,
    duration_ms: result.durationMs,
    ...(result.statusCode !== undefined ? { status_code: result.statusCode } : {}),
    ...(error ?? result.error ? { error: error ?? result.error } : {}),
    ...(result.statusCode !== undefined ? { response_body: firstKiB(result.body) } : {}),
  });

  async function disable(sub: SubscriptionDoc, reason: DisabledReason, now: Date): Promise<void> {
    const applied = await deps.subscriptions.transition(sub._id, { status: 'active' }, { $set: { status: 'disabled', disabled_reason: reason, disabled_at: now, updated_at: now } });
    deps.cache.invalidate(sub.org_id, sub._id);
    if (!applied) return;
    metrics.disabled.inc({ reason });
    deps.logger.warn({ subscriptionId: sub._id, orgId: sub.org_id, reason }, reason === 'gone' ? 'webhook endpoint answered 410 Gone: subscription disabled' : 'webhook subscription failing for 3 days: disabled');
  }

  /** Gives a delivery up without an attempt (its subscription is gone or disabled). */
  async function drop(item: DeliveryItem, reason: string, now: Date): Promise<void> {
    await Promise.all([deliveries.fail(item.id, reason, now), state.clear(item.id)]);
    metrics.deliveries.inc({ outcome: 'failed' });
  }

  async function verify(item: DeliveryItem, ctx: HandlerContext): Promise<HandlerOutcome | void> {
    const sub = await deps.subscriptions.load(item.s);
    const startedAt = deps.now();
    if (!sub) return drop(item, 'subscription deleted', startedAt);
    if (sub.status !== 'pending_verification' || sub.verification_id !== item.id) return drop(item, 'superseded by a newer verification', startedAt);
    const result = await send(sub, item, startedAt);
    const now = deps.now();
    const ok = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
    const echoed = ok && echoesChallenge(result.body, item.ch ?? '');
    if (echoed) {
      await deps.deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'delivered', delivered_at: now }, now);
      await deps.subscriptions.transition(
        sub._id,
        { status: 'pending_verification', verification_id: item.id },
        { $set: { status: 'active', verified_at: now, updated_at: now }, $unset: { verification_id: '', failing_since: '', disabled_reason: '', disabled_at: '' } },
      );
      await Promise.all([state.clear(item.id), state.success(sub._id)]);
      deps.cache.invalidate(sub.org_id, sub._id);
      ctx.logger.info({ subscriptionId: sub._id }, 'webhook subscription verified');
      return;
    }
    const error = ok ? 'the answer did not echo the challenge' : undefined;
    const { count } = await state.countFailure(item.id, now.getTime());
    const delay = tuning.verificationDelaysMs[count - 1];
    if (delay === undefined) {
      await deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result, error), status: 'failed', failure_reason: 'verification failed' }, now);
      await state.clear(item.id);
      return;
    }
    await deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result, error), status: 'pending', next_attempt_at: new Date(now.getTime() + delay) }, now);
    return { retryAfterMs: delay };
  }

  async function deliver(item: DeliveryItem, ctx: HandlerContext): Promise<HandlerOutcome | void> {
    const sub = await deps.cache.byId(item.s);
    const startedAt = deps.now();
    if (!sub) return drop(item, 'subscription deleted', startedAt);
    // Tests and redeliveries were asked for by hand: they go whatever the status.
    const manual = item.k === 'test' || item.k === 'redelivery';
    if (!manual && sub.status === 'disabled') return drop(item, 'subscription disabled', startedAt);
    if (!manual && sub.status !== 'active') {
      // Paused, or its url being verified again: the lane waits (for 24 h at most).
      if (startedAt.getTime() - item.q >= tuning.retry.maxAgeMs) return drop(item, `subscription ${sub.status} for 24 h`, startedAt);
      return { retryAfterMs: jitter(tuning.holdMs) };
    }
    const slot = await deps.limiter.acquire(sub._id, ctx.jobId, item.q);
    if (slot.token === undefined) {
      // Parked until a slot frees (a release wakes the lane); the delay only covers a lost wake-up.
      // Behind a long list (a slow endpoint's backlog) that is the expected wait, not a fixed 10 s:
      // a backlog of thousands of lanes waking every 10 s to find the cap reached again cost more
      // CPU than the deliveries themselves.
      return { retryAfterMs: jitter(Math.min(Math.max(tuning.capWaitMs, slot.waitMs * 1.5), MAX_CAP_WAIT_MS)) };
    }
    let result: SendResult;
    try {
      result = await send(sub, item, startedAt);
    } finally {
      await deps.limiter.release(sub._id, slot.token);
    }
    const now = deps.now();
    const status = result.statusCode;
    const health = sub.status === 'active'; // a test to a paused subscription says nothing about its health

    if (status !== undefined && status >= 200 && status < 300) {
      const [, endedStreak] = await Promise.all([
        deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'delivered', delivered_at: now }, now),
        health ? streaks.success(sub._id) : Promise.resolve(false),
        // The lane's first try of this item had no failures to forget.
        ctx.attempt > 1 ? state.clear(item.id) : undefined,
      ]);
      if (endedStreak) await deps.subscriptions.transition(sub._id, {}, { $unset: { failing_since: '' } });
      metrics.deliveries.inc({ outcome: 'delivered' });
      if (item.k === 'event') metrics.latency.observe(Math.max(0, now.getTime() - item.t) / 1000);
      return;
    }

    if (status === 410 && health) {
      await disable(sub, 'gone', now);
      await Promise.all([deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'failed', failure_reason: 'the endpoint answered 410 Gone: subscription disabled' }, now), state.clear(item.id)]);
      metrics.deliveries.inc({ outcome: 'failed' });
      return;
    }

    if (health) {
      const streak = await streaks.failure(sub._id, now.getTime());
      if (streak.started) await deps.subscriptions.transition(sub._id, {}, { $set: { failing_since: new Date(streak.sinceMs) } });
      if (now.getTime() - streak.sinceMs >= tuning.disableAfterMs) {
        await disable(sub, 'failing', now);
        await Promise.all([deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'failed', failure_reason: 'no success for 3 days: subscription disabled' }, now), state.clear(item.id)]);
        metrics.deliveries.inc({ outcome: 'failed' });
        return;
      }
    }

    const { count, firstMs } = await state.countFailure(item.id, now.getTime());
    const deadline = firstMs + tuning.retry.maxAgeMs;
    if (now.getTime() >= deadline) {
      await Promise.all([deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'failed', failure_reason: 'no success within 24 h' }, now), state.clear(item.id)]);
      metrics.deliveries.inc({ outcome: 'failed' });
      return;
    }
    // The last attempt is made at the deadline.
    const delay = Math.min(retryDelayMs(tuning.retry, count, result.retryAfterMs), deadline - now.getTime());
    await deliveries.recordAttempt(item.id, { attempt: attemptOf(startedAt, result), status: 'pending', next_attempt_at: new Date(now.getTime() + delay) }, now);
    metrics.deliveries.inc({ outcome: 'retried' });
    if (count === 1) ctx.logger.info({ subscriptionId: sub._id, deliveryId: item.id, status, error: result.error }, 'webhook delivery failed; retrying with backoff');
    return { retryAfterMs: delay };
  }

  return (item, ctx) => (item.k === 'verification' ? verify(item, ctx) : deliver(item, ctx));
}
