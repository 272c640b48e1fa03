/** One place among the worker processes: the child filling it now, and its restart state. */
import type { ChildProcess } from 'node:child_process';

export interface Slot {
  index: number;
  child?: ChildProcess;
  /** The child reported that its workers run. */
  ready?: boolean;
  exited?: Promise<void>;
  nextDelayMs: number;
  timer?: NodeJS.Timeout;
}

/** The slot's child, if it reported ready and its IPC channel is open: only such a child is asked anything. */
export const readyChild = (slot: Slot): ChildProcess | undefined => (slot.ready && slot.child?.connected ? slot.child : undefined);
