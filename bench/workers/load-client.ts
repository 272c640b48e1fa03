/**
 * Load-client process: receives one job over IPC, runs it with its own event loop (so the client
 * never shares a core's event loop with Puente or the fake Graph API), sends the result back.
 */
import { runClosedLoop, runScheduled, type ClosedLoopJob, type ScheduledJob } from '../lib/http-load.js';
import type { LoadClientMessage } from '../lib/load-runner.js';

// The parent went away (crash, SIGKILL): do not linger.
process.on('disconnect', () => process.exit(0));

process.once('message', (raw) => {
  const job = raw as ClosedLoopJob | ScheduledJob;
  const run = job.kind === 'closed' ? runClosedLoop(job) : runScheduled(job);
  run
    .then((result) => reply({ type: 'result', result }))
    .catch((err: unknown) => reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});

function reply(msg: LoadClientMessage): void {
  process.send?.(msg, () => process.exit(0));
}
