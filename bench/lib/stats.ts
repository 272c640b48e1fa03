/** Latency samples and percentiles. Samples are kept (bounded) and sorted on demand: exact, and cheap at bench sizes. */

/** Summary of a set of latency samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (`p` in 0–100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** Summarizes samples (any order); an empty input gives count 0 and NaN figures. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted.length ? (sorted[0] as number) : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** Collects latency samples up to a fixed capacity (further samples are counted, not stored). */
export class Recorder {
  private readonly samples: Float64Array;
  private stored = 0;
  /** Every sample offered, including those past capacity. */
  total = 0;

  constructor(capacity = 2_000_000) {
    this.samples = new Float64Array(capacity);
  }

  /** Adds one sample (milliseconds). */
  add(ms: number): void {
    this.total++;
    if (this.stored < this.samples.length) this.samples[this.stored++] = ms;
  }

  /** Percentiles over the stored samples. */
  summary(): LatencySummary {
    return summarize(this.samples.subarray(0, this.stored));
  }
}

/** Counts occurrences per key (status codes, error codes). */
export function tally(counts: Record<string, number>, key: string | number): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
