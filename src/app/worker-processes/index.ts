/**
 * Forked worker processes (`PUENTE_ROLE=all` with PUENTE_WORKER_PROCESSES > 0): the parent's
 * supervisor, and what a child calls to take part in the IPC.
 */
export { onDrainRequests, onMetricsRequests, reportReadyToParent } from './child.js';
export type { ChildMetrics, DrainRequest } from './ipc-messages.js';
export { DEFAULT_RESTART_BACKOFF, restartDelay, type RestartBackoff } from './restart-backoff.js';
export { combineWorkerProcesses, startWorkerProcesses, type WorkerProcesses, type WorkerProcessesOptions } from './supervisor.js';
