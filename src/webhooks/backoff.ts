/** How failed deliveries are retried. */
export interface RetryPolicy {
  /** The first retry waits up to this long; each further one up to twice the previous bound. */
  baseMs: number;
  /** The bound stops doubling here. */
  maxDelayMs: number;
  /** No attempt is made later than this after the delivery's first attempt: it is then `failed`. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 10_000, maxDelayMs: 3_600_000, maxAgeMs: 86_400_000 };

/**
 * The wait before retry number `failures` (1 after the first failed attempt): exponential backoff
 * with full jitter, a uniformly random wait between a tenth of the base and the attempt's bound
 * (`baseMs · 2^(failures-1)`, at most `maxDelayMs`), so endpoints coming back from an outage are not
 * hit by every waiting delivery at once. An endpoint's `Retry-After` is honoured up to `maxDelayMs`.
 */
export function retryDelayMs(policy: RetryPolicy, failures: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(failures - 1, 40));
  const jittered = Math.max(policy.baseMs / 10, random() * bound);
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
}
