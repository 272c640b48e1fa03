/**
 * Worker processes for `PUENTE_ROLE=all` with PUENTE_WORKER_PROCESSES > 0: this process keeps
 * HTTP and forks N copies of its own entry script in the worker role, at a lower scheduling
 * priority, restarts any that die, and stops them (SIGTERM, then SIGKILL on overrun) on shutdown.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Logger } from '../../platform/logging/logger.js';
import { createDrainDelegation } from './drain-delegation.js';
import { READY_MESSAGE, type ChildMetrics, type DrainRequest } from './ipc-messages.js';
import { createMetricsCollection } from './metrics-collection.js';
import { DEFAULT_RESTART_BACKOFF, restartDelay, type RestartBackoff } from './restart-backoff.js';
import { setIdlePolicy } from './scheduling.js';
import type { Slot } from './slot.js';

export interface WorkerProcessesOptions {
  count: number;
  /** Nice value set on every child (`os.setPriority`); a failure is logged, not fatal. */
  nice: number;
  /**
   * Also put every child under Linux's SCHED_IDLE policy (scheduling.ts): it runs only on a core
   * nothing else wants. Where that fails (no `chrt`), a warning says the child keeps `nice`.
   */
  idle?: boolean;
  /** The children's environment (see `workerProcessEnv` in src/platform/config). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Names the group in its log records (e.g. `background`). */
  label?: string;
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
  const { nice } = options;
  const logger = options.label ? options.logger.child({ workers: options.label }) : options.logger;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const slots: Slot[] = Array.from({ length: options.count }, (_, index) => ({ index, nextDelayMs: backoff.initialMs }));
  const metrics = createMetricsCollection(slots);

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
      else metrics.receive(message);
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
    const pid = child.pid;
    try {
      setPriority(pid, nice);
    } catch (err) {
      logger.warn({ err, slot: slot.index, childPid: pid, nice }, 'could not lower the priority of a worker process; it keeps the parent priority');
    }
    logger.info({ slot: slot.index, childPid: pid, nice, ...(options.idle ? { policy: 'idle' } : {}) }, 'worker process started');
    if (options.idle) {
      void setIdlePolicy(pid).then((err) => {
        if (err && !gone) logger.warn({ err, slot: slot.index, childPid: pid, nice }, 'could not put a worker process under the SCHED_IDLE policy; it keeps its nice value');
      });
    }
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

  for (const slot of slots) spawnInto(slot);

  const stopRestarting = () => {
    stopping = true;
    for (const slot of slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
  };

  const running = () => slots.flatMap((slot) => (slot.child?.pid !== undefined && slot.exited ? [{ slot, child: slot.child, exited: slot.exited }] : []));

  return {
    expected: options.count,
    delegateDrain: createDrainDelegation(slots, logger),
    collectMetrics: (timeoutMs) => metrics.collect(timeoutMs),
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

/**
 * One {@link WorkerProcesses} over several groups (the conversation's and the background's): lanes
 * are delegated to the `primary` group only. Readiness waits, once, for every group's children to
 * start (a booting process costs a second or two of CPU, which would otherwise land on the first
 * users), and after that counts only the primary's: a background process restarting must not take
 * the gateway out of its load balancer. Metrics, pids and shutdown cover every group.
 */
export function combineWorkerProcesses(primary: WorkerProcesses, ...others: WorkerProcesses[]): WorkerProcesses {
  const all = [primary, ...others];
  let booted = false;
  return {
    expected: primary.expected,
    delegateDrain: (request) => primary.delegateDrain(request),
    collectMetrics: async (timeoutMs) => (await Promise.all(all.map((group) => group.collectMetrics(timeoutMs)))).flat(),
    pids: () => all.flatMap((group) => group.pids()),
    alive: () => {
      booted ||= others.every((group) => group.alive() >= group.expected);
      return booted ? primary.alive() : 0;
    },
    stopRestarting: () => all.forEach((group) => group.stopRestarting()),
    stop: async (timeoutMs) => {
      await Promise.all(all.map((group) => group.stop(timeoutMs)));
    },
  };
}
