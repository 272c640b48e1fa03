/** Restart delays for a worker process that exits while the parent is not stopping. */
export interface RestartBackoff {
  /** First delay after an unexpected exit. */
  initialMs: number;
  /** The delay doubles per consecutive crash up to this. */
  maxMs: number;
  /** A process that lived at least this long starts the next delay from `initialMs` again. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * The delay before restarting a process that ran for `livedMs`, given the delay its slot would use
 * next, and the one after that.
 */
export function restartDelay(nextMs: number, livedMs: number, backoff: RestartBackoff = DEFAULT_RESTART_BACKOFF): { delayMs: number; followingMs: number } {
  const delayMs = livedMs >= backoff.resetAfterMs ? backoff.initialMs : Math.min(nextMs, backoff.maxMs);
  return { delayMs, followingMs: Math.min(delayMs * 2, backoff.maxMs) };
}
