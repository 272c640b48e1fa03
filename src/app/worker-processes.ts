/**
 * Worker processes for `PUENTE_ROLE=all` with PUENTE_WORKER_PROCESSES > 0: this process keeps
 * HTTP and forks N copies of its own entry script in the worker role, at a lower scheduling
 * priority, restarts any that die, and stops them (SIGTERM, then SIGKILL on overrun) on shutdown.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';
import type { Logger } from '../platform/logging/logger.js';

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

export interface WorkerProcessesOptions {
  count: number;
  /** Nice value set on every child (`os.setPriority`); a failure is logged, not fatal. */
  nice: number;
  /** The children's environment (see `workerProcessEnv` in src/config). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Script to fork; defaults to this process's entry (`process.argv[1]`). */
  entry?: string;
  /** Defaults to this process's arguments after the script. */
  args?: string[];
  /** Defaults to this process's `execArgv`, so `node --import tsx src/app/main.ts` forks the same way. */
  execArgv?: string[];
  backoff?: Partial<RestartBackoff>;
}

export interface WorkerProcesses {
  readonly expected: number;
  /**
   * Asks one of the ready children (in turn) to drain a lane inline that this process opened
   * (see `delegateInline` in queues/mailbox.ts); false when no child is ready to be asked.
   */
  delegateDrain(request: Omit<DrainRequest, 'type'>): boolean;
  /**
   * Every ready child's metrics (prom-client's JSON form), for the parent's /metrics to aggregate
   * with its own; a child that does not answer within `timeoutMs` is left out of this scrape.
   */
  collectMetrics(timeoutMs: number): Promise<ChildMetrics[]>;
  /** Pids of the children running now. */
  pids(): number[];
  /** How many children are running and have reported that their workers started. */
  alive(): number;
  /** No more restarts (call as soon as shutdown begins, so a child exiting meanwhile is not restarted). */
  stopRestarting(): void;
  /** SIGTERM every child and wait for it to exit; SIGKILL those still running after `timeoutMs`. Idempotent. */
  stop(timeoutMs: number): Promise<void>;
}

/** What a forked worker sends its parent once its workers run (see {@link reportReadyToParent}). */
const READY_MESSAGE = 'puente:worker-ready';

/** Called by a forked worker once its workers run: the parent counts it as alive from then on. */
export function reportReadyToParent(): void {
  process.send?.(READY_MESSAGE);
}

/** What the parent sends a forked worker to have it drain a lane the parent opened. */
export interface DrainRequest {
  type: 'puente:drain';
  mailbox: string;
  lane: string;
  jobId: string;
}

/** An IPC message of ours of the given `type`. */
const isMessage = (message: unknown, type: string): message is { type: string } =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

const isDrainRequest = (message: unknown): message is DrainRequest => isMessage(message, 'puente:drain') && typeof (message as DrainRequest).jobId === 'string';

/** One process's metrics as `Registry.getMetricsAsJSON` gives them. */
export type ChildMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** The parent asks a forked worker for its metrics (`id` pairs the answer with the question). */
interface MetricsRequest {
  type: 'puente:metrics';
  id: string;
}

interface MetricsReply extends MetricsRequest {
  metrics: ChildMetrics;
}

const isMetricsRequest = (message: unknown): message is MetricsRequest => isMessage(message, 'puente:metrics') && typeof (message as MetricsRequest).id === 'string';
const isMetricsReply = (message: unknown): message is MetricsReply => isMetricsRequest(message) && Array.isArray((message as MetricsReply).metrics);

/** In a forked worker: answers the parent's metrics requests from `registry`. */
export function onMetricsRequests(registry: Registry): void {
  process.on('message', (message) => {
    if (!isMetricsRequest(message)) return;
    registry
      .getMetricsAsJSON()
      .then((metrics) => process.send?.({ type: 'puente:metrics', id: message.id, metrics } satisfies MetricsReply))
      .catch(() => undefined); // the parent's scrape goes on without this process
  });
}

/** In a forked worker: calls `adopt` for each drain request from the parent. */
export function onDrainRequests(adopt: (request: DrainRequest) => void): void {
  process.on('message', (message) => {
    if (isDrainRequest(message)) adopt(message);
  });
}

interface Slot {
  index: number;
  child?: ChildProcess;
  /** The child reported that its workers run. */
  ready?: boolean;
  exited?: Promise<void>;
  nextDelayMs: number;
  timer?: NodeJS.Timeout;
}

/** How long to wait for a SIGKILLed child to be reaped before giving up on it. */
const KILL_WAIT_MS = 2_000;

function sleep(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/** Forks `count` worker processes and supervises them until {@link WorkerProcesses.stop}. */
export function startWorkerProcesses(options: WorkerProcessesOptions): WorkerProcesses {
  const backoff: RestartBackoff = { ...DEFAULT_RESTART_BACKOFF, ...options.backoff };
  const entry = options.entry ?? process.argv[1];
  if (!entry) throw new Error('cannot fork worker processes: no entry script (process.argv[1])');
  const args = options.args ?? process.argv.slice(2);
  const execArgv = options.execArgv ?? process.execArgv;
  const { logger, nice } = options;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const spawnInto = (slot: Slot) => {
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = fork(entry, args, { execArgv, env: options.env, stdio: 'inherit' });
    } catch (err) {
      scheduleRestart(slot, startedAt, { err });
      return;
    }
    let gone = false;
    let markExited!: () => void;
    slot.child = child;
    slot.ready = false;
    slot.exited = new Promise<void>((resolve) => (markExited = resolve));
    child.on('message', (message) => {
      if (message === READY_MESSAGE && slot.child === child) slot.ready = true;
      else if (isMetricsReply(message)) metricsAnswers.get(message.id)?.(message.metrics);
    });
    const onGone = (details: { code?: number | null; signal?: NodeJS.Signals | null; err?: unknown }) => {
      if (gone) return;
      gone = true;
      if (slot.child === child) {
        slot.child = undefined;
        slot.ready = false;
        slot.exited = undefined;
      }
      markExited();
      if (stopping) {
        logger.info({ slot: slot.index, childPid: child.pid, ...details }, 'worker process exited');
        return;
      }
      scheduleRestart(slot, startedAt, { childPid: child.pid, ...details });
    };
    child.once('exit', (code, signal) => onGone({ code, signal }));
    child.on('error', (err) => {
      // Without a pid the fork itself failed and 'exit' may never come; otherwise it is a failed kill/send.
      if (child.pid === undefined) onGone({ err });
      else logger.warn({ err, slot: slot.index, childPid: child.pid }, 'worker process error');
    });
    if (child.pid === undefined) return;
    try {
      setPriority(child.pid, nice);
    } catch (err) {
      logger.warn({ err, slot: slot.index, childPid: child.pid, nice }, 'could not lower the priority of a worker process; it keeps the parent priority');
    }
    logger.info({ slot: slot.index, childPid: child.pid, nice }, 'worker process started');
  };

  const scheduleRestart = (slot: Slot, startedAt: number, details: Record<string, unknown>) => {
    const { delayMs, followingMs } = restartDelay(slot.nextDelayMs, Date.now() - startedAt, backoff);
    slot.nextDelayMs = followingMs;
    logger.error({ slot: slot.index, ...details, restartInMs: delayMs }, 'worker process exited unexpectedly; restarting it');
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!stopping) spawnInto(slot);
    }, delayMs);
  };

  const slots: Slot[] = Array.from({ length: options.count }, (_, index) => ({ index, nextDelayMs: backoff.initialMs }));
  for (const slot of slots) spawnInto(slot);

  const stopRestarting = () => {
    stopping = true;
    for (const slot of slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
  };

  /** The slot's child, if it reported ready and its IPC channel is open. */
  const readyChild = (slot: Slot) => (slot.ready && slot.child?.connected ? slot.child : undefined);

  /** Pending metrics requests: id → what to do with the answer. */
  const metricsAnswers = new Map<string, (metrics: ChildMetrics | undefined) => void>();

  const collectMetrics = async (timeoutMs: number): Promise<ChildMetrics[]> => {
    const asked = slots.flatMap((slot) => {
      const child = readyChild(slot);
      if (!child) return [];
      return [
        new Promise<ChildMetrics | undefined>((resolve) => {
          const id = randomUUID();
          const answer = (metrics: ChildMetrics | undefined) => {
            clearTimeout(timer);
            metricsAnswers.delete(id);
            resolve(metrics);
          };
          const timer = setTimeout(() => answer(undefined), timeoutMs);
          metricsAnswers.set(id, answer);
          try {
            child.send({ type: 'puente:metrics', id } satisfies MetricsRequest, (err: Error | null) => err && answer(undefined));
          } catch {
            answer(undefined);
          }
        }),
      ];
    });
    return (await Promise.all(asked)).filter((metrics): metrics is ChildMetrics => metrics !== undefined);
  };

  let turn = 0;
  const delegateDrain = (request: Omit<DrainRequest, 'type'>): boolean => {
    for (let tried = 0; tried < slots.length; tried++) {
      const slot = slots[turn++ % slots.length] as Slot;
      const child = readyChild(slot);
      if (!child) continue;
      const onError = (err: unknown) => logger.warn({ err, slot: slot.index, lane: request.lane }, 'could not hand a lane to a worker process; its drain job runs it later');
      try {
        // A send that fails after this (the child just died) leaves the drain job to fire on its own.
        child.send({ type: 'puente:drain', ...request } satisfies DrainRequest, (err: Error | null) => err && onError(err));
        return true;
      } catch (err) {
        onError(err);
      }
    }
    return false;
  };

  const running = () => slots.flatMap((slot) => (slot.child?.pid !== undefined && slot.exited ? [{ slot, child: slot.child, exited: slot.exited }] : []));

  return {
    expected: options.count,
    delegateDrain,
    collectMetrics,
    pids: () => running().map((r) => r.child.pid!),
    alive: () => running().filter((r) => r.slot.ready).length,
    stopRestarting,
    stop(timeoutMs) {
      stopped ??= (async () => {
        stopRestarting();
        const live = running();
        if (live.length === 0) return;
        logger.info({ childPids: live.map((r) => r.child.pid) }, 'stopping worker processes');
        for (const { child } of live) child.kill('SIGTERM');
        const all = Promise.all(live.map((r) => r.exited));
        const deadline = sleep(Math.max(timeoutMs, 0));
        const overran = await Promise.race([all.then(() => false), deadline.done.then(() => true)]);
        deadline.cancel();
        if (!overran) return;
        for (const { slot, child } of live) {
          if (slot.child !== child) continue;
          logger.error({ slot: slot.index, childPid: child.pid, timeoutMs }, 'worker process overran its shutdown; killing it');
          child.kill('SIGKILL');
        }
        const reaped = sleep(KILL_WAIT_MS);
        await Promise.race([all, reaped.done]);
        reaped.cancel();
      })();
      return stopped;
    },
  };
}
