import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/index.js';
import { createDeps, type Deps, type DepsOptions } from '../deps.js';
import { createApp } from '../http/app.js';
import { startWorkers, type RunningWorkers, type WorkerDefinition, type WorkerTuning } from '../../queues/workers.js';
import { workerDefinitions } from './worker-definitions.js';

/** How long a graceful shutdown may take before the process gives up and exits non-zero. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

export interface Running {
  deps: Deps;
  /** The bound port when the role serves HTTP. */
  port: number | undefined;
  /** Stop accepting requests, finish in-flight jobs, close connections. Idempotent. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions extends DepsOptions {
  /** Extra processors (tests use this to run a controlled job through the real shutdown path). */
  extraWorkers?: (deps: Deps) => WorkerDefinition[];
  workerTuning?: WorkerTuning;
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would hold close() open until they time out; idle ones can go now.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

/** Starts the role chosen by PUENTE_ROLE: `api` serves HTTP, `worker` runs queues, `all` does both. */
export async function startPuente(config: Config, options: StartOptions = {}): Promise<Running> {
  const deps = await createDeps(config, options);
  const role = config.PUENTE_ROLE;
  let workers: RunningWorkers | undefined;
  let server: ServerType | undefined;
  let port: number | undefined;

  if (role === 'worker' || role === 'all') {
    workers = startWorkers(deps, [...workerDefinitions(deps), ...(options.extraWorkers?.(deps) ?? [])], options.workerTuning);
    await deps.messaging.scheduleJanitor();
  }
  if (role === 'api' || role === 'all') {
    const app = createApp(deps);
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  }
  deps.logger.info({ role, port }, 'puente started');

  let stopping: Promise<void> | undefined;
  return {
    deps,
    port,
    stop(reason = 'stop requested') {
      stopping ??= (async () => {
        deps.logger.info({ reason }, 'shutting down: no new requests, finishing in-flight jobs');
        if (server) await closeServer(server);
        if (workers) await workers.close();
        await deps.close();
        deps.logger.info('shutdown complete');
      })();
      return stopping;
    },
  };
}

/** Wires SIGTERM/SIGINT to a bounded graceful stop that exits 0 (or 1 if it overran). */
export function exitOnSignals(running: Running): void {
  const onSignal = (signal: NodeJS.Signals) => {
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
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
