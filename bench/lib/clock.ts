/**
 * Time helpers shared by every bench process. {@link nowMs} reads CLOCK_MONOTONIC (libuv's hrtime),
 * which is system-wide on Linux, so a send time taken in the load-client process and an arrival time
 * taken in the fake Graph API (another process) can be subtracted directly.
 */

/** Milliseconds (µs resolution) on the machine-wide monotonic clock; comparable across processes. */
export function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `done()` every `everyMs` until it is true or `timeoutMs` elapsed.
 * @returns whether the condition was met before the deadline.
 */
export async function waitUntil(done: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
