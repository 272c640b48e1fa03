/** The forked worker's side of the IPC: it reports ready, and answers the parent's requests. */
import type { Registry } from 'prom-client';
import { isDrainRequest, isMetricsRequest, READY_MESSAGE, type DrainRequest, type MetricsReply } from './ipc-messages.js';

/** Called by a forked worker once its workers run: the parent counts it as alive from then on. */
export function reportReadyToParent(): void {
  process.send?.(READY_MESSAGE);
}

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
