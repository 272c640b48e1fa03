import { Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/platform/logging/logger.js';
import type { Mailbox } from './mailbox.js';

/**
 * Which worker processes run a definition. `conversation` (the default): the message road —
 * lanes, outbound sends, receipts, statuses. `background`: work that may wait a little — campaign
 * sending, event-webhook delivery, lead scoring, retention — so that, with a background process of
 * its own at a lower priority (PUENTE_BACKGROUND_WORKER_PROCESSES), it never queues ahead of a reply.
 */
export type WorkerTier = 'conversation' | 'background';

/** What a process runs: every definition (`all`), or one tier's (PUENTE_WORKER_TIER). */
export type WorkerTierChoice = WorkerTier | 'all';

/** A processor bound to a queue. Feature modules (lanes, outbound, CRM) contribute these. */
export interface WorkerDefinition {
  queue: string;
  /** Default `conversation`. */
  tier?: WorkerTier;
  processor: Processor;
  concurrency: number;
  /** The mailbox this processor drains: lanes opened by this process are then drained inline (mailbox.ts). */
  mailbox?: Pick<Mailbox<never>, 'name' | 'startInline' | 'stopInline' | 'adopt'>;
}

/** What running Workers needs from the process: its logger, key prefix and blocking Redis connections. */
export interface WorkerHost {
  logger: Logger;
  keyPrefix: string;
  /** A new connection for one Worker (BullMQ blocks on it). */
  workerRedis(name: string): Redis;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Drains inline a lane of the named mailbox that another process opened and delegated here (mailbox.ts). */
  adopt(mailbox: string, lane: string, jobId: string): Promise<void>;
  /** Stops taking jobs and waits for the ones in flight to finish. */
  close(): Promise<void>;
}

/**
 * Lock settings; how fast a job of a crashed worker is handed to another one (BullMQ's stalled
 * check). `lockDuration` (BullMQ's default 30 s) is also how long the drain job behind an inline
 * drain waits, i.e. how soon a dead process's inline lanes resume elsewhere.
 */
export interface WorkerTuning {
  lockDuration?: number;
  stalledInterval?: number;
}

/** Concurrency one BullMQ Worker instance takes on; a definition above it is split across instances. */
const SLOTS_PER_INSTANCE = 64;
/** Most instances per definition (each holds a blocking Redis connection). */
const MAX_INSTANCES = 4;
/** BullMQ's own default `lockDuration`. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;

/**
 * Starts BullMQ Workers for each definition, on a connection of their own (each instance also gets
 * a blocking connection from BullMQ). A Worker fetches the jobs waiting for it one round trip at a
 * time and starts none before that batch is fetched; with 256 slots and a burst of 100 new lanes,
 * that put ~0.4 s before the first job of the burst started on a busy process. So a definition's
 * concurrency is split over up to {@link MAX_INSTANCES} Workers of {@link SLOTS_PER_INSTANCE}
 * slots, which fetch side by side (the same as more worker processes, within one).
 */
export function startWorkers(deps: WorkerHost, all: WorkerDefinition[], tuning: WorkerTuning = {}, tier: WorkerTierChoice = 'all'): RunningWorkers {
  const definitions = tier === 'all' ? all : all.filter((d) => (d.tier ?? 'conversation') === tier);
  // A background process still drains inline the conversation lanes it opens itself (a campaign's
  // sends go out from here, at this process's priority), without taking their BullMQ jobs: those
  // (retries, hand-offs, a dead process's lanes) stay with the conversation processes.
  const inlineOnly = tier === 'background' ? all.filter((d) => (d.tier ?? 'conversation') !== 'background' && d.mailbox) : [];
  const workers = definitions.flatMap((definition) => {
    const instances = Math.max(1, Math.min(MAX_INSTANCES, Math.floor(definition.concurrency / SLOTS_PER_INSTANCE)));
    const connection = deps.workerRedis(`worker:${definition.queue}`);
    return Array.from({ length: instances }, () => {
      const worker = new Worker(definition.queue, definition.processor, {
        connection,
        prefix: deps.keyPrefix,
        concurrency: Math.ceil(definition.concurrency / instances),
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
  });
  const mailboxes = [...definitions, ...inlineOnly].flatMap(({ mailbox, concurrency }) => {
    mailbox?.startInline({ safetyMs: tuning.lockDuration ?? DEFAULT_LOCK_DURATION_MS, maxConcurrent: concurrency });
    return mailbox ? [mailbox] : [];
  });
  return {
    workers,
    async adopt(name, lane, jobId) {
      await mailboxes.find((mailbox) => mailbox.name === name)?.adopt(lane, jobId);
    },
    async close() {
      // Inline drains hand their lanes to their drain jobs after the current item, while the Workers finish theirs.
      await Promise.all([...mailboxes.map((mailbox) => mailbox.stopInline()), ...workers.map((worker) => worker.close())]);
    },
  };
}
