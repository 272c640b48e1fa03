import type { Deps } from '../deps.js';
import type { WorkerDefinition } from '../../queues/workers.js';

/**
 * The processors a worker process runs. Each feature (conversation lanes, outbound sends, CRM
 * calls) adds its definition here as it lands.
 */
export function workerDefinitions(_deps: Deps): WorkerDefinition[] {
  return [];
}
