import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { OPEN_TICKETS_GAUGE } from '../../crm-bridge/metrics.js';
import { QUEUE_GAUGES } from '../../queues/metrics.js';
import { configWarnings, workerProcessEnv, type Config } from '../platform/config/index.js';
import { gracefulCloser } from '../platform/http/graceful-close.js';
import { enforceRequestDeadlines, requestDeadlines, serverTimeouts, type RequestDeadlines } from '../platform/http/request-deadlines.js';
import { createDeps, workerDefinitions, type Deps, type DepsOptions } from './deps.js';
import { createApp, type DevMount } from './http-app.js';
import { createOpsApp } from './ops-app.js';
import { createLogger } from '../platform/logging/logger.js';
import { DEFAULT_LOCK_DURATION_MS, startWorkers, type RunningWorkers, type WorkerDefinition, type WorkerTuning } from '../../queues/workers.js';
import { combineWorkerProcesses, onDrainRequests, onMetricsRequests, reportReadyToParent, startWorkerProcesses, type WorkerProcesses } from './worker-processes/index.js';

/** How long a graceful shutdown may take before the process gives up and exits non-zero. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;
/** Forked worker processes still running this long before {@link SHUTDOWN_TIMEOUT_MS} are killed, leaving time to close the rest. */
const WORKER_PROCESS_KILL_MARGIN_MS = 3_000;
/**
 * How long requests in flight at shutdown may take to be answered before their connections are
 * closed (a stream, a slow upload); the rest of {@link SHUTDOWN_TIMEOUT_MS} is the workers'.
 */
export const HTTP_DRAIN_MS = 10_000;

export interface Running {
  deps: Deps;
  /** The bound port when the role serves HTTP. */
  port: number | undefined;
  /** The ops listener's bound port (every role; none in a worker process forked by an `all` one, whose parent serves it). */
  opsPort: number | undefined;
  /** The forked worker processes (`all` with PUENTE_WORKER_PROCESSES > 0). */
  workerProcesses?: WorkerProcesses;
  /** Stop accepting requests, finish in-flight jobs, close connections. Idempotent. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions extends DepsOptions {
  /** Extra processors (tests use this to run a controlled job through the real shutdown path). */
  extraWorkers?: (deps: Deps) => WorkerDefinition[];
  workerTuning?: WorkerTuning;
  /** Interface the HTTP server binds (default every interface; `npm run dev` keeps to loopback). */
  hostname?: string;
  /** Extra apps mounted as they are, outside the route groups: only the dev entry's playground. */
  devMounts?: DevMount[];
}

/** A listening server and the way to close it ({@link gracefulCloser}). */
interface Listening {
  port: number;
  close(graceMs: number): Promise<void>;
}

/** Serves `app` until closed, with Puente's timeouts: keep-alive above the proxy's, requests cut off at their deadline. */
async function listen(app: Pick<Hono, 'fetch'>, port: number, hostname: string, config: Config, deadlines: RequestDeadlines): Promise<Listening> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname, serverOptions: serverTimeouts(deadlines) }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  // Node's default (5 s) is below every proxy's idle timeout.
  (server as Server).keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  enforceRequestDeadlines(server as Server, deadlines);
  return { port: (server.address() as AddressInfo).port, close: gracefulCloser(server as Server) };
}

/**
 * Starts the role chosen by PUENTE_ROLE: `api` serves HTTP, `worker` runs queues, `all` does both —
 * in this process, or with PUENTE_WORKER_PROCESSES > 0 by forking that many `worker` processes of
 * the same entry script (options such as `extraWorkers` then apply in the children, which run it too).
 */
export async function startPuente(config: Config, options: StartOptions = {}): Promise<Running> {
  const role = config.PUENTE_ROLE;
  const forkWorkers = role === 'all' && config.PUENTE_WORKER_PROCESSES > 0;
  const forkedChild = config.PUENTE_PARENT_PID !== undefined;
  // Forked workers share the parent's stdout: every record names the process that wrote it.
  const multiProcess = forkWorkers || forkedChild;
  const logger = multiProcess
    ? (options.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: options.pretty ?? false })).child({ pid: process.pid })
    : options.logger;
  const deps = await createDeps(config, { ...options, logger });
  for (const warning of configWarnings(config)) deps.logger.warn({ alert: 'insecure_config' }, warning);
  let workers: RunningWorkers | undefined;
  let workerProcesses: WorkerProcesses | undefined;
  let server: Listening | undefined;
  let opsServer: Listening | undefined;

  if (role !== 'all' && config.PUENTE_WORKER_PROCESSES > 0) {
    deps.logger.warn({ role, workerProcesses: config.PUENTE_WORKER_PROCESSES }, 'PUENTE_WORKER_PROCESSES is ignored unless PUENTE_ROLE=all');
  }
  if (role === 'worker' || (role === 'all' && !forkWorkers)) {
    workers = startWorkers(deps, [...workerDefinitions(deps), ...(options.extraWorkers?.(deps) ?? [])], options.workerTuning, role === 'worker' ? config.PUENTE_WORKER_TIER : 'all');
    // Idempotent (a job scheduler), so every worker process may do it.
    await deps.conversations.scheduleJanitor();
    if (forkedChild) {
      const running = workers;
      onDrainRequests(({ mailbox, lane, jobId }) => {
        running.adopt(mailbox, lane, jobId).catch((err: unknown) => deps.logger.warn({ err, mailbox, lane, jobId }, 'could not adopt a lane; its drain job runs it later'));
      });
      // Counted in MongoDB, the same in every process: the parent reports it, so this process never runs its query.
      deps.metrics.registry.removeSingleMetric(OPEN_TICKETS_GAUGE);
      for (const gauge of QUEUE_GAUGES) deps.metrics.registry.removeSingleMetric(gauge);
      onMetricsRequests(deps.metrics.registry);
      reportReadyToParent();
    }
  }
  if (forkWorkers) {
    // With background processes, the first group runs only the conversation's queues (and is the
    // one lanes are delegated to); the background group runs campaigns, webhooks, scoring.
    const background = config.PUENTE_BACKGROUND_WORKER_PROCESSES;
    const children = startWorkerProcesses({
      count: config.PUENTE_WORKER_PROCESSES,
      nice: config.PUENTE_WORKER_NICE,
      env: workerProcessEnv(config, process.pid, background > 0 ? 'conversation' : 'all'),
      logger: deps.logger,
      ...(background > 0 ? { label: 'conversation' } : {}),
    });
    workerProcesses =
      background > 0
        ? combineWorkerProcesses(children, startWorkerProcesses({ count: background, nice: config.PUENTE_BACKGROUND_WORKER_NICE, idle: config.PUENTE_BACKGROUND_WORKER_IDLE, env: workerProcessEnv(config, process.pid, 'background'), logger: deps.logger, label: 'background' }))
        : children;
    // The lanes this process's webhooks and CRM calls open are drained by a worker process at once,
    // not after a Worker fetched their job. The children run this entry with the same options, so
    // their lockDuration (the lease a delegated lane gets) is the one here.
    const lanes = deps.conversations.lanes;
    lanes.delegateInline({
      safetyMs: options.workerTuning?.lockDuration ?? DEFAULT_LOCK_DURATION_MS,
      send: (lane, jobId) => children.delegateDrain({ mailbox: lanes.name, lane, jobId }),
    });
  }
  const requestTimeoutMs = config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  try {
    if (role === 'api' || role === 'all') {
      const app = createApp(deps, { ...(workerProcesses ? { workerProcesses } : {}), ...(options.devMounts ? { devMounts: options.devMounts } : {}) });
      const bodyLimits = Object.assign({}, ...deps.modules.map((m) => m.bodyLimits ?? {})) as Record<string, number>;
      server = await listen(app, config.PORT, options.hostname ?? '0.0.0.0', config, requestDeadlines(requestTimeoutMs, bodyLimits));
    }
    // Every role has one; a forked worker process's parent serves it for both (metrics over IPC).
    if (!forkedChild) {
      const ops = createOpsApp(deps, workerProcesses ? { workerProcesses } : {});
      opsServer = await listen(ops, config.OPS_PORT, config.OPS_HOST, config, requestDeadlines(requestTimeoutMs));
    }
  } catch (err) {
    // A port already taken: nothing may be left running.
    await server?.close(0);
    workerProcesses?.stopRestarting();
    if (workerProcesses) await workerProcesses.stop(5_000);
    if (workers) await workers.close();
    await deps.close();
    throw err;
  }
  const port = server?.port;
  const opsPort = opsServer?.port;
  deps.logger.info(
    {
      role,
      ...(role === 'worker' && config.PUENTE_WORKER_TIER !== 'all' ? { tier: config.PUENTE_WORKER_TIER } : {}),
      port,
      ...(opsPort !== undefined ? { ops: `${config.OPS_HOST}:${opsPort}`, opsPort } : {}),
      ...(multiProcess ? {} : { pid: process.pid }),
      ...(workerProcesses ? { workerProcesses: workerProcesses.expected, backgroundWorkerProcesses: config.PUENTE_BACKGROUND_WORKER_PROCESSES, pids: workerProcesses.pids() } : {}),
      ...(config.PUENTE_PARENT_PID !== undefined ? { parentPid: config.PUENTE_PARENT_PID } : {}),
    },
    'puente started',
  );

  let stopping: Promise<void> | undefined;
  return {
    deps,
    port,
    opsPort,
    workerProcesses,
    stop(reason = 'stop requested') {
      stopping ??= (async () => {
        const killChildrenAt = Date.now() + SHUTDOWN_TIMEOUT_MS - WORKER_PROCESS_KILL_MARGIN_MS;
        workerProcesses?.stopRestarting();
        deps.logger.info({ reason }, 'shutting down: no new requests, finishing in-flight jobs');
        // Both at once: a scrape or a request in flight on either has the same grace.
        await Promise.all([server?.close(HTTP_DRAIN_MS), opsServer?.close(HTTP_DRAIN_MS)]);
        // Each child drains its own jobs on SIGTERM (its own exitOnSignals).
        if (workerProcesses) await workerProcesses.stop(killChildrenAt - Date.now());
        if (workers) await workers.close();
        await deps.close();
        deps.logger.info('shutdown complete');
      })();
      return stopping;
    },
  };
}

/**
 * Wires SIGTERM/SIGINT to a bounded graceful stop that exits 0 (or 1 if it overran). A worker
 * process forked by an `all` process (PUENTE_PARENT_PID, IPC channel) also stops that way when
 * its parent goes away, so it never outlives a parent that died hard.
 */
export function exitOnSignals(running: Running): void {
  const shutDown = (signal: NodeJS.Signals | 'parent gone') => {
    const timer = setTimeout(() => {
      running.deps.logger.fatal({ signal, timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown overran; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running
      .stop(signal)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        running.deps.logger.fatal({ err }, 'graceful shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
  const parentPid = running.deps.config.PUENTE_PARENT_PID;
  if (parentPid !== undefined && typeof process.send === 'function') {
    const onParentGone = () => {
      running.deps.logger.warn({ parentPid }, 'parent process went away; shutting down');
      shutDown('parent gone');
    };
    if (process.connected) process.once('disconnect', onParentGone);
    else onParentGone();
  }
}
