/**
 * The IPC messages between the parent (`PUENTE_ROLE=all`) and its forked worker processes. Both
 * sides import these, so a message's shape and its guard cannot drift apart.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What a forked worker sends its parent once its workers run (see `reportReadyToParent`). */
export const READY_MESSAGE = 'puente:worker-ready';

/** What the parent sends a forked worker to have it drain a lane the parent opened. */
export interface DrainRequest {
  type: 'puente:drain';
  mailbox: string;
  lane: string;
  jobId: string;
}

/** One process's metrics as `Registry.getMetricsAsJSON` gives them. */
export type ChildMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** The parent asks a forked worker for its metrics (`id` pairs the answer with the question). */
export interface MetricsRequest {
  type: 'puente:metrics';
  id: string;
}

export interface MetricsReply extends MetricsRequest {
  metrics: ChildMetrics;
}

/** An IPC message of ours of the given `type`. */
const isMessage = (message: unknown, type: string): message is { type: string } =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

export const isDrainRequest = (message: unknown): message is DrainRequest => isMessage(message, 'puente:drain') && typeof (message as DrainRequest).jobId === 'string';
export const isMetricsRequest = (message: unknown): message is MetricsRequest => isMessage(message, 'puente:metrics') && typeof (message as MetricsRequest).id === 'string';
export const isMetricsReply = (message: unknown): message is MetricsReply => isMetricsRequest(message) && Array.isArray((message as MetricsReply).metrics);
