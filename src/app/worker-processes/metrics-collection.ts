/** The parent asks its ready worker processes for their metrics, for its /metrics to aggregate. */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isMetricsReply, type ChildMetrics, type MetricsRequest } from './ipc-messages.js';
import { readyChild, type Slot } from './slot.js';

export interface MetricsCollection {
  /** See `WorkerProcesses.collectMetrics`. */
  collect(timeoutMs: number): Promise<ChildMetrics[]>;
  /** Takes a message from a child; the answer to a pending request settles it, anything else is ignored. */
  receive(message: unknown): void;
}

export function createMetricsCollection(slots: readonly Slot[]): MetricsCollection {
  /** Pending metrics requests: id → what to do with the answer. */
  const answers = new Map<string, (metrics: ChildMetrics | undefined) => void>();

  const ask = (child: ChildProcess, timeoutMs: number) =>
    new Promise<ChildMetrics | undefined>((resolve) => {
      const id = randomUUID();
      const answer = (metrics: ChildMetrics | undefined) => {
        clearTimeout(timer);
        answers.delete(id);
        resolve(metrics);
      };
      const timer = setTimeout(() => answer(undefined), timeoutMs);
      answers.set(id, answer);
      try {
        child.send({ type: 'puente:metrics', id } satisfies MetricsRequest, (err: Error | null) => err && answer(undefined));
      } catch {
        answer(undefined);
      }
    });

  return {
    async collect(timeoutMs) {
      const asked = slots.flatMap((slot) => {
        const child = readyChild(slot);
        return child ? [ask(child, timeoutMs)] : [];
      });
      return (await Promise.all(asked)).filter((metrics): metrics is ChildMetrics => metrics !== undefined);
    },
    receive(message) {
      if (isMetricsReply(message)) answers.get(message.id)?.(message.metrics);
    },
  };
}
