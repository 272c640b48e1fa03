/** Parent side of the load client: runs one load job in a fresh child process and returns its result. */
import { forkTs, stopChild } from './children.js';
import type { ClosedLoopJob, ClosedLoopResult, ScheduledJob, ScheduledResult } from './http-load.js';

/** Messages exchanged with `bench/workers/load-client.ts`. */
export type LoadClientMessage =
  | { type: 'result'; result: ClosedLoopResult | ScheduledResult }
  | { type: 'error'; message: string };

/** Runs a job in `bench/workers/load-client.ts`; rejects if the child fails or overruns `timeoutMs`. */
export function runLoad(job: ClosedLoopJob, timeoutMs: number): Promise<ClosedLoopResult>;
export function runLoad(job: ScheduledJob, timeoutMs: number): Promise<ScheduledResult>;
export async function runLoad(job: ClosedLoopJob | ScheduledJob, timeoutMs: number): Promise<ClosedLoopResult | ScheduledResult> {
  const child = forkTs('bench/workers/load-client.ts');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load client overran ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (raw) => {
        clearTimeout(timer);
        const msg = raw as LoadClientMessage;
        if (msg.type === 'result') resolve(msg.result);
        else reject(new Error(`load client failed: ${msg.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`load client exited early (code ${code}, signal ${signal})`));
      });
      child.send(job);
    });
  } finally {
    await stopChild(child, 2_000);
  }
}
