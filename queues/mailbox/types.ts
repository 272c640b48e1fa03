import type { Processor } from 'bullmq';
import type { Logger } from '../../src/platform/logging/logger.js';

export interface MailboxItem {
  /** Stable id: dedupe, attempt counting and idempotency key for the handler. */
  id: string;
}

export interface PushRequest<T extends MailboxItem> {
  lane: string;
  item: T;
  /** Accept the item once per key within `dedupeTtlSeconds` (atomic with the append). Namespaced per mailbox. */
  dedupeKey?: string;
  dedupeTtlSeconds?: number;
  /** Keep the largest value seen in `mark.key` (e.g. the last inbound time for the 24 h window). */
  mark?: { key: string; value: number; ttlSeconds: number };
}

export type PushResult = 'queued' | 'duplicate';

export interface HandlerContext {
  lane: string;
  /** The lane's owner id: its drain job's id (while the lane is drained inline, no such job exists unless it is needed). */
  jobId: string;
  /** 1 for the first try of this item. */
  attempt: number;
  /** Identifies this run of the drain job (job id + BullMQ lock token), for fencing side effects. */
  claim: string;
  logger: Logger;
}

/** What a handler may ask for instead of succeeding: try this item again later without counting an attempt. */
export interface HandlerOutcome {
  retryAfterMs?: number;
}

export type MailboxHandler<T extends MailboxItem> = (item: T, ctx: HandlerContext) => Promise<HandlerOutcome | void>;

export interface DrainOptions {
  /** After this many failed attempts an item goes to the dead-letter list and the lane moves on. */
  maxAttempts?: number;
  /** Items one job drains before handing the lane to a fresh job at the back of the queue. */
  maxItemsPerJob?: number;
  onDeadLetter?: (item: MailboxItem, lane: string, error: unknown) => void;
  /** First retry delay of a failing item; doubles per attempt, capped at 60 s. */
  baseBackoffMs?: number;
}

export interface InlineDrainOptions {
  /**
   * How long the lease of an inline drain lasts: a dead process's lanes resume on another worker
   * about this long (plus up to a quarter of it, the sweep's period) after its last renewal.
   * Renewed every third of it while the process lives (BullMQ's `lockDuration` plays the same
   * part for a running job).
   */
  safetyMs: number;
  /** Most lanes drained inline at once; a lane opened beyond that gets a plain drain job. */
  maxConcurrent: number;
}

/** Where a process that does not drain inline itself sends the lanes its pushes open (see `delegateInline`). */
export interface InlineDelegate {
  /** The lease given to a delegated lane until it is adopted: the adopting process's `safetyMs`. */
  safetyMs: number;
  /** Asks a process draining this mailbox inline to adopt the lane; false when none can be asked now. */
  send(lane: string, jobId: string): boolean;
}

export interface Mailbox<T extends MailboxItem> {
  readonly name: string;
  push(requests: PushRequest<T>[]): Promise<PushResult[]>;
  /** The BullMQ processor for this mailbox's queue; also the handler inline drains use. */
  processor(handler: MailboxHandler<T>, logger: Logger, options?: DrainOptions): Processor;
  /** Drains lanes opened by pushes from this process here (see the module comment). Needs `processor` first. */
  startInline(options: InlineDrainOptions): void;
  /** Stops draining inline: running drains hand their lane to its drain job after the current item. */
  stopInline(): Promise<void>;
  /** Lanes opened by pushes here are drained inline by another process (undefined: by a drain job, as usual). */
  delegateInline(delegate: InlineDelegate | undefined): void;
  /**
   * Drains inline a lane another process opened and delegated here (under a lease it takes over);
   * if this process cannot take it now, the lane's drain job is added for the Workers at once.
   */
  adopt(lane: string, jobId: string): Promise<void>;
  /** Re-adds drain jobs that were lost (a producer died between its script and `queue.add`), and sweeps leases that ran out. */
  repairOwners(olderThanMs?: number): Promise<number>;
  depth(lane: string): Promise<number>;
  deadLetters(limit?: number): Promise<{ lane: string; item: T; error: string; at: string }[]>;
  /** How many items sit in the dead letters (the metrics gauge). */
  deadLetterCount(): Promise<number>;
}
