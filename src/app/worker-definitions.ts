import type { Deps } from './deps.js';
import type { WorkerDefinition } from '../../queues/workers.js';

/** The processors a worker process runs: the message road and the CRM bridge. */
export function workerDefinitions(deps: Deps): WorkerDefinition[] {
  return [...deps.messaging.workerDefinitions(deps.laneHandler), ...deps.bridge.workerDefinitions()];
}
