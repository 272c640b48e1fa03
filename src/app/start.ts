import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { workerProcessEnv, type Config } from '../platform/config/index.js';
import { createDeps, workerDefinitions, type Deps, type DepsOptions } from './deps.js';
import { createApp, type DevMount } from './http-app.js';
import { createLogger } from '../platform/logging/logger.js';
import { DEFAULT_LOCK_DURATION_MS, startWorkers, type RunningWorkers, type WorkerDefinition, type WorkerTuning } from '../../queues/workers.js';
import { onDrainRequests, onMetricsRequests, reportReadyToParent, startWorkerProcesses, type WorkerProcesses } from './worker-processes/index.js';

/** How long a graceful shutdown may take before the process gives up and exits non-zero. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;
/** Forked worker processes still running this long before {@link SHUTDOWN_TIMEOUT_MS} are killed, leaving time to close the rest. */
const WORKER_PROCESS_KILL_MARGIN_MS = 3_000;

export interface Running {
  deps: Deps;
  /** The bound port when the role serves HTTP. */
  port: number | undefined;
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

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would hold close() open until they time out; idle ones can go now.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

/**
 * Starts the role chosen by PUENTE_ROLE: `api` serves HTTP, `worker` runs queues, `all` does both —
 * in this process, or with PUENTE_WORKER_PROCESSES > 0 by forking that many `worker` processes of
 * the same entry script (options such as `extraWorkers` then apply in the children, which run it too).
 */
export async function startPuente(config: Config, options: StartOptions = {}): Promise<Running> {
  const role = config.PUENTE_ROLE;
  const forkWorkers = role === 'all' && config.PUENTE_WORKER_PROCESSES > 0;
  // Forked workers share the parent's stdout: every record names the process that wrote it.
  const multiProcess = forkWorkers || config.PUENTE_PARENT_PID !== undefined;
  const logger = multiProcess
    ? (options.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: options.pretty ?? false })).child({ pid: process.pid })
    : options.logger;
  const deps = await createDeps(config, { ...options, logger });
  let workers: RunningWorkers | undefined;
  let workerProcesses: WorkerProcesses | undefined;
  let server: ServerType | undefined;
  let port: number | undefined;

  if (role !== 'all' && config.PUENTE_WORKER_PROCESSES > 0) {
    deps.logger.warn({ role, workerProcesses: config.PUENTE_WORKER_PROCESSES }, 'PUENTE_WORKER_PROCESSES is ignored unless PUENTE_ROLE=all');
  }
  if (role === 'worker' || (role === 'all' && !forkWorkers)) {
    workers = startWorkers(deps, [...workerDefinitions(deps), ...(options.extraWorkers?.(deps) ?? [])], options.workerTuning);
    // Idempotent (a job scheduler), so every worker process may do it.
    await deps.conversations.scheduleJanitor();
    if (config.PUENTE_PARENT_PID !== undefined) {
      const running = workers;
      onDrainRequests(({ mailbox, lane, jobId }) => {
        running.adopt(mailbox, lane, jobId).catch((err: unknown) => deps.logger.warn({ err, mailbox, lane, jobId }, 'could not adopt a lane; its drain job runs it later'));
      });
      onMetricsRequests(deps.metrics.registry);
      reportReadyToParent();
    }
  }
  if (forkWorkers) {
    const children = startWorkerProcesses({ count: config.PUENTE_WORKER_PROCESSES, nice: config.PUENTE_WORKER_NICE, env: workerProcessEnv(config), logger: deps.logger });
    workerProcesses = children;
    // The lanes this process's webhooks and CRM calls open are drained by a worker process at once,
    // not after a Worker fetched their job. The children run this entry with the same options, so
    // their lockDuration (the standby job's delay) is the one here.
    const lanes = deps.conversations.lanes;
    lanes.delegateInline({
      safetyMs: options.workerTuning?.lockDuration ?? DEFAULT_LOCK_DURATION_MS,
      send: (lane, jobId) => children.delegateDrain({ mailbox: lanes.name, lane, jobId }),
    });
  }
  if (role === 'api' || role === 'all') {
    const app = createApp(deps, { ...(workerProcesses ? { workerProcesses } : {}), ...(options.devMounts ? { devMounts: options.devMounts } : {}) });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: options.hostname ?? '0.0.0.0' }, () => resolve(s));
    });
    // Node's default (5 s) is below every proxy's idle timeout. headersTimeout stays: since Node 18
    // it counts from a request's first byte, not from the idle connection's last response.
    (server as Server).keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
    port = (server.address() as AddressInfo).port;
  }
  deps.logger.info(
    {
      role,
      port,
      ...(multiProcess ? {} : { pid: process.pid }),
      ...(workerProcesses ? { workerProcesses: workerProcesses.expected, pids: workerProcesses.pids() } : {}),
      ...(config.PUENTE_PARENT_PID !== undefined ? { parentPid: config.PUENTE_PARENT_PID } : {}),
    },
    'puente started',
  );

  let stopping: Promise<void> | undefined;
  return {
    deps,
    port,
    workerProcesses,
    stop(reason = 'stop requested') {
      stopping ??= (async () => {
        const killChildrenAt = Date.now() + SHUTDOWN_TIMEOUT_MS - WORKER_PROCESS_KILL_MARGIN_MS;
        workerProcesses?.stopRestarting();
        deps.logger.info({ reason }, 'shutting down: no new requests, finishing in-flight jobs');
        if (server) await closeServer(server);
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
