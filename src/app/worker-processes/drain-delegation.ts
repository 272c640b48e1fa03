/** The parent hands lanes it opened to its ready worker processes, in turn, to drain inline. */
import type { Logger } from '../../platform/logging/logger.js';
import type { DrainRequest } from './ipc-messages.js';
import { readyChild, type Slot } from './slot.js';

/** Returns `delegateDrain` over `slots` (see `WorkerProcesses.delegateDrain`). */
export function createDrainDelegation(slots: readonly Slot[], logger: Logger): (request: Omit<DrainRequest, 'type'>) => boolean {
  let turn = 0;
  return (request) => {
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
}
