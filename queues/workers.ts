import { Worker, type Processor } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { QueueName } from './names.js';

/** A processor bound to a queue. Feature modules (lanes, outbound, CRM) contribute these. */
export interface WorkerDefinition {
  queue: QueueName | (string & {});
  processor: Processor;
  concurrency: number;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the ones in flight to finish. */
  close(): Promise<void>;
}

/** Lock settings; how fast a job of a crashed worker is handed to another one (BullMQ's stalled check). */
export interface WorkerTuning {
  lockDuration?: number;
  stalledInterval?: number;
}

/** Starts one BullMQ Worker per definition, each on its own blocking-safe connection. */
export function startWorkers(deps: Deps, definitions: WorkerDefinition[], tuning: WorkerTuning = {}): RunningWorkers {
  const workers = definitions.map((definition) => {
    const worker = new Worker(definition.queue, definition.processor, {
      connection: deps.workerRedis(`worker:${definition.queue}`),
      prefix: deps.keyPrefix,
      concurrency: definition.concurrency,
      // A lane job can stall more than once across restarts; the mailbox keeps its items safe meanwhile.
      maxStalledCount: 10,
      ...tuning,
    });
    worker.on('failed', (job, err) => {
      deps.logger.warn({ jobId: job?.id, queue: definition.queue, attempts: job?.attemptsMade, err }, 'job failed');
    });
    worker.on('error', (err) => deps.logger.error({ err, queue: definition.queue }, 'worker error'));
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
